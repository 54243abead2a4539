"""Chinese names of the audit actions this app writes, for the audit page."""

AUDIT_ACTIONS = {
    "campaigns.campaign.created": "新建党史学习教育",
    "campaigns.campaign.set_current": "设为当前党史学习教育",
    "campaigns.campaign.updated": "修改党史学习教育",
    "campaigns.place.created": "新建活动地点",
    "campaigns.place.updated": "修改活动地点",
    "campaigns.activity.created": "新建活动",
    "campaigns.activity.updated": "修改活动",
    "campaigns.activity.registration_opened": "开放活动报名",
    "campaigns.activity.cancelled": "取消活动",
    "campaigns.activity.walk_ins_recorded": "登记非党员参加人数",
    "campaigns.activity.summary_saved": "填写活动总结",
    "campaigns.activity.photo_added": "上传活动照片",
    "campaigns.activity.photo_removed": "删除活动照片",
    "campaigns.registration.created": "活动报名",
    "campaigns.registration.cancelled": "取消报名",
    "campaigns.registration.promoted": "候补递补",
    "campaigns.check_in.created": "活动签到",
    "campaigns.member_code.reissued": "重新生成党员码",
}
