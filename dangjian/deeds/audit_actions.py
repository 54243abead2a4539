"""Chinese names of the audit actions this app writes, for the audit page and the timeline."""

AUDIT_ACTIONS = {
    "deeds.deed.created": "新建实事项目",
    "deeds.deed.updated": "修改实事项目",
    "deeds.deed.committed": "承诺实事项目",
    "deeds.deed.cancelled": "撤销实事项目",
    "deeds.part.updated": "报送分工进展",
    "deeds.milestone.added": "新增节点",
    "deeds.milestone.completed": "节点完成",
    "deeds.visit.recorded": "记录现场办公",
    "deeds.close_out.submitted": "申请销号",
    "deeds.close_out.reviewed": "审核销号",
    "deeds.close_out.returned": "退回销号申请",
    "deeds.supervision.issued": "发出督办",
    "deeds.supervision.answered": "督办反馈",
    "deeds.deed.exported": "导出办实事台账",
}
