# The quota tables move from the videos app to quotas without touching the database:
# state only (SeparateDatabaseAndState), the tables keep their names (db_table).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('jobs', '0003_webhooks'),
        ('videos', '0004_scene_media_and_visuals'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Quota',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('videos_per_day', models.PositiveIntegerField(blank=True, help_text='Blank: the site default', null=True)),
                        ('render_minutes_per_month', models.PositiveIntegerField(blank=True, help_text='Blank: the site default', null=True)),
                        ('storage_bytes', models.PositiveBigIntegerField(blank=True, help_text='Blank: the site default (in bytes; 1073741824 = 1 GiB)', null=True)),
                        ('concurrent_jobs', models.PositiveIntegerField(blank=True, help_text='Blank: the site default', null=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='quota', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'videos_quota',
                        'ordering': ['user__username'],
                    },
                ),
                migrations.CreateModel(
                    name='SiteSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('require_staff_approval', models.BooleanField(default=False, help_text="When on, a creator's approval sends the storyboard to staff, who approve or reject it.")),
                        ('videos_per_day', models.PositiveIntegerField(default=20, help_text='Default for each user: new videos per UTC day')),
                        ('render_minutes_per_month', models.PositiveIntegerField(default=120, help_text='Default for each user: minutes rendered per UTC calendar month')),
                        ('storage_bytes', models.PositiveBigIntegerField(default=5368709120, help_text='Default for each user: bytes of uploads, scene media, masters and exports (5368709120 = 5 GiB)')),
                        ('concurrent_jobs', models.PositiveIntegerField(default=5, help_text='Default for each user: jobs queued or running at once')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'db_table': 'videos_sitesettings',
                        'verbose_name': 'site settings',
                        'verbose_name_plural': 'site settings',
                        'constraints': [models.CheckConstraint(condition=models.Q(('pk', 1)), name='site_settings_singleton')],
                    },
                ),
                migrations.CreateModel(
                    name='QuotaCharge',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('video', 'New video'), ('render', 'Render minutes')], max_length=10)),
                        ('amount', models.PositiveBigIntegerField()),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('job', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='jobs.job')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('video', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='videos.video')),
                    ],
                    options={
                        'db_table': 'videos_quotacharge',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['user', 'kind', 'created_at'], name='videos_quot_user_id_47db3e_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
