"""The glossary's activity types. Names are data and may be renamed or extended."""

from django.db import migrations

ACTIVITY_TYPES = [
    ("launch_ceremony", "启动仪式"),
    ("exhibition_visit", "参观/主题展览"),
    ("lecture", "宣讲报告/专题辅导"),
    ("leadership_study", "理论中心组学习"),
    ("group_discussion", "集中研讨/交流研讨"),
    ("training_day", "集中教育培训"),
    ("enterprise_tea", "政企下午茶"),
    ("party_day", "主题党日"),
    ("contest", "知识竞答"),
    ("other", "其他"),
]


def add_activity_types(apps, schema_editor):
    ActivityType = apps.get_model("campaigns", "ActivityType")
    for order, (code, name) in enumerate(ACTIVITY_TYPES, start=1):
        ActivityType.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]
    operations = [migrations.RunPython(add_activity_types, migrations.RunPython.noop)]
