"""The six sectors of the campaign's "six intos". Names are data and may be renamed."""

from django.db import migrations

SECTORS = [
    ("government", "机关"),
    ("enterprise", "企业"),
    ("community", "社区"),
    ("school", "学校"),
    ("hospital", "医院"),
    ("police", "警营"),
]


def add_sectors(apps, schema_editor):
    Sector = apps.get_model("orgs", "Sector")
    for order, (code, name) in enumerate(SECTORS, start=1):
        Sector.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(add_sectors, migrations.RunPython.noop)]
