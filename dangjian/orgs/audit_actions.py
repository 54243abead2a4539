"""Chinese names of the audit actions this app writes, for the audit page."""

AUDIT_ACTIONS = {
    "orgs.community.created": "新建社区",
    "orgs.department.created": "新建部门",
    "orgs.enterprise.created": "登记企业",
    "orgs.institution.created": "登记单位",
    "orgs.member.batch_created": "批量登记党员",
    "orgs.member.created": "登记党员",
    "orgs.member.imported": "导入党员名册",
    "orgs.member.exported": "导出党员名册",
    "orgs.organization.exported": "导出党组织",
    "orgs.member.personal_data_viewed": "查看党员完整信息",
    "orgs.member.status_changed": "变更党员状态",
    "orgs.member.transferred": "组织关系转接",
    "orgs.member.updated": "修改党员信息",
    "orgs.organization.created": "新建党组织",
    "orgs.organization.imported": "导入党组织",
    "orgs.organization.updated": "修改党组织",
}
