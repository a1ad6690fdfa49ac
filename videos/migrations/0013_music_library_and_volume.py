# The music library's moods (choices only) and the music volume.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("videos", "0012_caption_style_words"),
    ]

    operations = [
        migrations.AddField(
            model_name="video",
            name="music_volume_db",
            field=models.SmallIntegerField(
                default=-12,
                help_text="The music's level in dB before ducking (-30 to 0; 0: the library's reference loudness)",
            ),
        ),
        migrations.AlterField(
            model_name="video",
            name="music",
            field=models.CharField(
                choices=[
                    ("none", "No music"),
                    ("calm", "Calm"),
                    ("happy", "Happy"),
                    ("energetic", "Energetic"),
                    ("tender", "Tender"),
                    ("nostalgic", "Nostalgic"),
                    ("bright", "Bright synth bed"),
                    ("pulse", "Pulse synth bed"),
                    ("upload", "My upload"),
                ],
                default="none",
                max_length=10,
            ),
        ),
    ]
