"""Chinese names of the audit actions this app writes, for the audit page."""

AUDIT_ACTIONS = {
    "reports.dashboard.exported": "导出数据看板表格",
    "reports.briefing.created": "新建工作简报",
    "reports.briefing.version_saved": "保存工作简报新版本",
    "reports.briefing.exported": "下载工作简报",
}
