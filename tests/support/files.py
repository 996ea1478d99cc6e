"""Files for attachment tests, made here: pictures carrying metadata that must not survive,
a PDF, text, and things that only look like a file type by their name."""

from __future__ import annotations

import io

from PIL import Image

from tickets.uploads import Upload

GPS_TAG, ARTIST_TAG = 0x8825, 0x013B


def jpeg_with_gps(size: tuple[int, int] = (800, 600)) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[ARTIST_TAG] = "Ada Lovelace"
    exif[GPS_TAG] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"secret comment")
    return out.getvalue() + b"TRAILING-SECRET"


def png_with_text(size: tuple[int, int] = (64, 48)) -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Ada Lovelace, 12 Baker Street")
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 120, 200, 128)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def webp(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(out, format="WEBP")
    return out.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
TEXT = b"Order KT-55120\nSerial SN-77X1-0042\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def photo(name: str = "kettle.jpg") -> Upload:
    return Upload(name, jpeg_with_gps())


def pdf(name: str = "receipt.pdf") -> Upload:
    return Upload(name, PDF)


def text(name: str = "notes.txt") -> Upload:
    return Upload(name, TEXT)
