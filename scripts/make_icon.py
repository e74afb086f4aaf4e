"""Draw the app icon (resources/icons/app.png and app.ico) with the shipped font.

    .venv/bin/python scripts/make_icon.py

A blue rounded square with 客 in white: readable at 16 px in the taskbar.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
BLUE = (21, 101, 192, 255)


def draw(size: int) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=BLUE)
    font = ImageFont.truetype(str(ROOT / "resources/fonts/wqy-microhei.ttc"), int(size * 0.68))
    box = pen.textbbox((0, 0), "客", font=font)
    x = (size - (box[2] - box[0])) / 2 - box[0]
    y = (size - (box[3] - box[1])) / 2 - box[1]
    pen.text((x, y), "客", font=font, fill="white")
    return image


def main() -> None:
    folder = ROOT / "resources/icons"
    folder.mkdir(parents=True, exist_ok=True)
    big = draw(256)
    big.save(folder / "app.png")
    big.save(
        folder / "app.ico",
        sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)],
    )


if __name__ == "__main__":
    main()
