"""Item pictures: checked on upload, stored without metadata, plus a 1200×630 Open Graph copy.

Photos from phones carry GPS positions and camera serials in EXIF; we re-encode every upload
so none of that reaches the public page. The Open Graph copy lives next to the original under
a name derived from it, so no model field is needed and any storage backend works.
"""

from __future__ import annotations

import io
import posixpath
from typing import IO, TYPE_CHECKING

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

if TYPE_CHECKING:
    from .models import Item

# iPhone photos (HEIC) open like any other picture; they are stored as JPEG, which every
# browser and network shows.
register_heif_opener()

# Stored format and file extension per format we take.
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "jpg"}
STORED_FORMAT = {"HEIF": "JPEG"}
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Decoding costs width × height × bands bytes (plus Pillow's working copies): formats that
# cannot decode at a reduced size (PNG, WebP, HEIC) must fit in this budget; JPEG decodes
# at 1/2, 1/4 or 1/8 of its size straight away (``draft``), so its budget is checked after.
MAX_DECODE_BYTES = 96 * 1024 * 1024
MIN_WIDTH, MIN_HEIGHT = 600, 315
MAX_SIDE = 2400
OG_SIZE = (1200, 630)
# Global in Pillow: set once, here. Anything beyond our own limit is refused unread.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
_UNREADABLE = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,  # e.g. a PNG text chunk that inflates past PngImagePlugin.MAX_TEXT_CHUNK
    EOFError,
    MemoryError,
    Image.DecompressionBombError,
)


class ImageRejected(ValueError):
    """The upload cannot be used; the message says why in words the uploader understands."""


def _cannot_read() -> ImageRejected:
    return ImageRejected(
        _("We cannot read this file as a picture. Please upload a JPG, PNG, WebP or HEIC file.")
    )


def image_validate(file: IO[bytes] | File) -> None:
    """Type, size and pixel checks from the header first, so a huge or hostile file is
    refused before any pixels are decoded; then one decode within ``MAX_DECODE_BYTES``, so a
    file whose data cannot be decoded (a compression bomb in a text chunk, a cut-off file)
    is refused here with a clear message rather than failing later.

    Raises ``ImageRejected`` with a message for the uploader."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ImageRejected(
            _("This picture is %(size)s. The limit is %(limit)s. Please use a smaller file.")
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_BYTES)}
        )
    try:
        file.seek(0)
        with Image.open(file) as img:
            image_format = img.format
            width, height = img.size
            img.verify()
    except Image.DecompressionBombError:
        raise ImageRejected(
            _("This picture has far too many pixels. Please make it smaller.")
        ) from None
    except _UNREADABLE:
        raise _cannot_read() from None
    finally:
        file.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ImageRejected(
            _("We take JPG, PNG, WebP and HEIC pictures. This file is %(format)s.")
            % {"format": image_format or _("something else")}
        )
    if width * height > MAX_PIXELS:
        raise ImageRejected(
            _("This picture has too many pixels (%(width)s × %(height)s). Please make it smaller.")
            % {"width": width, "height": height}
        )
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        raise ImageRejected(
            _(
                "This picture is too small (%(width)s × %(height)s pixels). It needs to be at "
                "least %(min_width)s × %(min_height)s, or it looks blurry when shared."
            )
            % {"width": width, "height": height, "min_width": MIN_WIDTH, "min_height": MIN_HEIGHT}
        )
    try:
        upright, _format = _open_upright(file)
        upright.close()
    except _UNREADABLE:
        raise _cannot_read() from None
    except _TooBig as too_big:
        raise ImageRejected(
            _("This picture has too many pixels (%(width)s × %(height)s). Please make it smaller.")
            % {"width": too_big.width, "height": too_big.height}
        ) from None
    finally:
        file.seek(0)


class _TooBig(Exception):
    def __init__(self, width: int, height: int):
        self.width, self.height = width, height


def _open_upright(file: IO[bytes] | File, max_side: int = MAX_SIDE) -> tuple[Image.Image, str]:
    """Decoded, at most ``max_side`` pixels on its longest side, turned the right way up.
    Shrinks before anything else, so the working copies are small; raises ``_TooBig`` when
    the full-size decode would not fit ``MAX_DECODE_BYTES``."""
    file.seek(0)
    img: Image.Image = Image.open(file)
    image_format = img.format or "JPEG"
    if image_format == "JPEG":
        img.draft("RGB", (max_side, max_side))
    width, height = img.size
    if width * height * len(img.getbands()) > MAX_DECODE_BYTES:
        raise _TooBig(*img.size)
    img.load()
    exif = img.getexif()
    if img.width > max_side or img.height > max_side:
        img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        img.getexif().update(exif)  # keep the orientation tag for exif_transpose
    img = ImageOps.exif_transpose(img)
    file.seek(0)
    return img, image_format


def _flatten(img: Image.Image) -> Image.Image:
    """RGB for JPEG: transparent parts become white (dropping the alpha channel would show
    whatever colour hides under it, usually black)."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return img if img.mode in ("RGB", "L") else img.convert("RGB")


def _without_metadata(img: Image.Image) -> Image.Image:
    clean = img.copy()
    # Palette transparency is part of the picture, not metadata.
    clean.info = {key: img.info[key] for key in ("transparency",) if key in img.info}
    clean.getexif().clear()
    return clean


def _encode(img: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    if image_format == "JPEG":
        _flatten(img).save(out, "JPEG", quality=88, optimize=True)
    elif image_format == "WEBP":
        img.save(out, "WEBP", quality=88)
    else:
        img.save(out, "PNG", optimize=True)
    return out.getvalue()


def image_clean(file: IO[bytes] | File, *, name: str | None) -> ContentFile:
    """The upload turned the right way up, capped at MAX_SIDE and re-encoded without EXIF,
    XMP, comments or colour profiles (HEIC as JPEG). Call ``image_validate`` first."""
    img, image_format = _open_upright(file)
    image_format = STORED_FORMAT.get(image_format, image_format)
    data = _encode(_without_metadata(img), image_format)
    stem = posixpath.splitext(posixpath.basename(name or ""))[0] or "picture"
    return ContentFile(data, name=f"{stem}.{ALLOWED_FORMATS[image_format]}")


def og_image_name(image_name: str) -> str:
    stem, _ext = posixpath.splitext(image_name)
    return f"{stem}.og.jpg"


def og_image_write(*, storage: Storage, image_name: str) -> str:
    """Crop-and-resize to exactly 1200×630 (what LinkedIn, Facebook and X show), JPEG.
    Overwrites an earlier copy for the same picture, so running it twice is harmless."""
    with storage.open(image_name, "rb") as source:
        img, _format = _open_upright(source)
    og = ImageOps.fit(_flatten(img), OG_SIZE, Image.Resampling.LANCZOS)
    target = og_image_name(image_name)
    if storage.exists(target):
        storage.delete(target)
    return storage.save(target, ContentFile(_encode(_without_metadata(og), "JPEG")))


def image_attach(*, field: FieldFile, picture: ContentFile) -> None:
    """Stores a picture from ``image_clean`` in an image field (the model is not saved) and
    writes its share-size copy next to it. ValueError for a picture without a name."""
    if not picture.name:
        raise ValueError("image_attach: the picture has no name (image_clean gives one)")
    field.save(picture.name, picture, save=False)
    og_image_write(storage=field.storage, image_name=field.name or picture.name)


def og_image_url(item: Item) -> str:
    """Relative URL of the item's Open Graph picture, or "" without a picture."""
    name = item.image.name  # a FieldFile is false exactly when it has no name
    if not name:
        return ""
    return item.image.storage.url(og_image_name(name))
