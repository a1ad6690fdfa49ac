# Quota, QuotaCharge and SiteSettings now belong to the quotas app (same tables).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('videos', '0004_scene_media_and_visuals'),
        ('quotas', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='QuotaCharge'),
                migrations.DeleteModel(name='Quota'),
                migrations.DeleteModel(name='SiteSettings'),
            ],
            database_operations=[],
        ),
    ]
