"""Contact sheets of the offline pictures a storyboard would get, to judge them by eye.

    manage.py picture_sheets examples/eval/*.txt --out /tmp/sheets [--aspect 16:9] [-v 2]

For each script: the storyboard's scenes (split and read exactly as a new video's), the
video's artwork style, and each scene's picture with its narration, its picture words and
what the picture depicts underneath, three to a row, in one PNG per script (with ``-v 2``, also one line per scene). This is how
the labelled set in docs/pictures.md was judged; nothing is stored.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from PIL import Image, ImageDraw, ImageFont

from assets.generators.illustrated import IllustratedPictureProvider
from mediakit import config
from mediakit.illustration import choose_style
from mediakit.scene_reader import script_topics
from mediakit.speech import voice_language
from videos.models import Video
from videos.storyboard import split_script

_TILE = {"16:9": (480, 270), "9:16": (270, 480), "1:1": (360, 360)}
_TEXT_H = 64


class Command(BaseCommand):
    help = "Draw contact sheets of the offline pictures each script's storyboard would get."

    def add_arguments(self, parser) -> None:
        parser.add_argument("scripts", nargs="+", type=Path)
        parser.add_argument("--out", type=Path, required=True, help="Folder for one PNG per script")
        parser.add_argument("--aspect", choices=sorted(_TILE), default=Video.Aspect.LANDSCAPE)
        parser.add_argument("--voice", default="", help="The voice, for the script's language (default English)")

    def handle(self, *args, **options) -> None:
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        width, height = _TILE[options["aspect"]]
        language = voice_language(options["voice"]) if options["voice"] else ""
        font = ImageFont.truetype(config.current().caption_font, 12)
        for path in options["scripts"]:
            try:
                script = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Cannot read {path.name}: {exc.strerror}") from exc
            title = path.stem.replace("-", " ")
            drafts = split_script(script, language=language, title=title)
            english = language[:2] in ("", "en")
            topics = script_topics(script, title=title) if english else []
            prompts = [draft.visual_prompt for draft in drafts]
            provider = IllustratedPictureProvider(
                palette_seed=path.stem, style=choose_style(prompts, topics=topics), topics=topics
            )
            tiles = []
            with tempfile.TemporaryDirectory() as tmp:
                for number, draft in enumerate(drafts, start=1):
                    picture = provider.generate(
                        prompt=draft.visual_prompt, width=width, height=height, seed=number, out_dir=Path(tmp)
                    )
                    tile = Image.new("RGB", (width, height + _TEXT_H), "white")
                    with Image.open(picture.path) as image:
                        tile.paste(image.convert("RGB"), (0, 0))
                    draw = ImageDraw.Draw(tile)
                    lines = [
                        f"{number}. {draft.narration[:70]}",
                        draft.narration[70:140],
                        f"words: {draft.visual_prompt.removesuffix(', cinematic illustration')[:60]}",
                        f"shows: {', '.join(picture.depicts[:3])}"[:70],
                    ]
                    for row, line in enumerate(lines):
                        draw.text((4, height + 2 + row * 15), line, fill="black" if row < 2 else "navy", font=font)
                    tiles.append(tile)
                    if options["verbosity"] >= 2:
                        self.stdout.write(f"  {lines[0]} | {lines[2]} | {lines[3]}")
            columns = 3
            rows = (len(tiles) + columns - 1) // columns
            sheet = Image.new("RGB", (columns * width, rows * (height + _TEXT_H)), "grey")
            for index, tile in enumerate(tiles):
                sheet.paste(tile, ((index % columns) * width, (index // columns) * (height + _TEXT_H)))
            target = out / f"{path.stem}.png"
            sheet.save(target)
            self.stdout.write(f"{path.name}: {len(tiles)} scenes, style {provider.style} -> {target}")
