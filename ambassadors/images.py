"""Item pictures: checked on upload, stored without metadata, plus a 1200×630 Open Graph copy.

Photos from phones carry GPS positions and camera serials in EXIF; we re-encode every upload
so none of that reaches the public page. The Open Graph copy lives next to the original under
a name derived from it, so no model field is needed and any storage backend works.
"""

from __future__ import annotations

import io
import posixpath

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MIN_WIDTH, MIN_HEIGHT = 600, 315
MAX_SIDE = 2400
OG_SIZE = (1200, 630)


class ImageRejected(ValueError):
    """The upload cannot be used; the message says why in words the uploader understands."""


def image_validate(file) -> None:
    """Type and size checks that read only the header, so a huge or hostile file is refused
    before any pixels are decoded."""
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
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ImageRejected(
            _("We cannot read this file as a picture. Please upload a JPG, PNG or WebP file.")
        ) from None
    finally:
        file.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ImageRejected(
            _("We take JPG, PNG and WebP pictures. This file is %(format)s.")
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


def _open_upright(file) -> tuple[Image.Image, str]:
    file.seek(0)
    img = Image.open(file)
    image_format = img.format or "JPEG"
    img.load()
    img = ImageOps.exif_transpose(img)
    file.seek(0)
    return img, image_format


def _without_metadata(img: Image.Image) -> Image.Image:
    clean = img.copy()
    clean.info = {}
    clean.getexif().clear()
    return clean


def _encode(img: Image.Image, image_format: str) -> bytes:
    out = io.BytesIO()
    if image_format == "JPEG":
        if img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        img.save(out, "JPEG", quality=88, optimize=True)
    elif image_format == "WEBP":
        img.save(out, "WEBP", quality=88)
    else:
        img.save(out, "PNG", optimize=True)
    return out.getvalue()


def image_clean(file, *, name: str) -> ContentFile:
    """The upload turned the right way up, capped at MAX_SIDE and re-encoded without EXIF,
    XMP, comments or colour profiles."""
    img, image_format = _open_upright(file)
    img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    data = _encode(_without_metadata(img), image_format)
    stem = posixpath.splitext(posixpath.basename(name))[0] or "picture"
    return ContentFile(data, name=f"{stem}.{ALLOWED_FORMATS[image_format]}")


def og_image_name(image_name: str) -> str:
    stem, _ext = posixpath.splitext(image_name)
    return f"{stem}.og.jpg"


def og_image_write(*, storage: Storage, image_name: str) -> str:
    """Crop-and-resize to exactly 1200×630 (what LinkedIn, Facebook and X show), JPEG.
    Overwrites an earlier copy for the same picture, so running it twice is harmless."""
    with storage.open(image_name, "rb") as source:
        img, _format = _open_upright(source)
    og = ImageOps.fit(img.convert("RGB"), OG_SIZE, Image.Resampling.LANCZOS)
    target = og_image_name(image_name)
    if storage.exists(target):
        storage.delete(target)
    return storage.save(target, ContentFile(_encode(_without_metadata(og), "JPEG")))


def og_image_url(item) -> str:
    """Relative URL of the item's Open Graph picture, or "" without a picture."""
    if not item.image:
        return ""
    return item.image.storage.url(og_image_name(item.image.name))
