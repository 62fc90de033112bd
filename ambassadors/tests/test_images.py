"""Hostile and awkward pictures: compression bombs, huge canvases, transparency, iPhone HEIC."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from ambassadors.images import ImageRejected, image_validate, og_image_name
from ambassadors.models import Item
from ambassadors.publishing.items import item_create
from ambassadors.tests.test_studio import form_data

ROOT = Path(__file__).resolve().parents[2]
CANNOT_READ = "We cannot read this file as a picture. Please upload a JPG, PNG, WebP or HEIC file."


def png_bytes(size=(1600, 900), mode="RGB", color="red") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, "PNG")
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def text_bomb(inflated: int = 60 * 1024 * 1024) -> bytes:
    """A small PNG whose zTXt chunk, after the pixels, inflates to ``inflated`` bytes."""
    data = png_bytes()
    bomb = _chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"a" * inflated, 9))
    end = data.rindex(b"IEND") - 4
    return data[:end] + bomb + data[end:]


def upload(data: bytes, name: str = "picture.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def test_a_compression_bomb_in_a_text_chunk_gets_the_form_error(client_as, comms_user):
    data = text_bomb()
    assert len(data) < 100 * 1024
    with pytest.raises(ImageRejected) as refused:
        image_validate(upload(data))
    assert str(refused.value) == CANNOT_READ

    response = client_as(comms_user).post(
        reverse("ambassadors:studio_item_new"),
        form_data(title="A bomb", image=upload(data), image_alt="x"),
    )
    assert response.status_code == 200
    assert CANNOT_READ in response.content.decode()
    assert not Item.objects.exists()


@pytest.mark.parametrize(("size", "mode"), [((6300, 6300), "RGB"), ((5200, 5200), "RGBA")])
def test_canvases_too_big_to_decode_safely_are_refused_unread(size, mode):
    data = png_bytes(size, mode)
    assert len(data) < 300 * 1024  # tiny on disk, huge in memory
    with pytest.raises(ImageRejected) as refused:
        image_validate(upload(data))
    assert str(refused.value) == (
        f"This picture has too many pixels ({size[0]} × {size[1]}). Please make it smaller."
    )


def test_far_too_many_pixels_are_refused_before_pillow_reads_them():
    data = png_bytes((10000, 9000), "L")
    with pytest.raises(ImageRejected) as refused:
        image_validate(upload(data))
    assert str(refused.value) == "This picture has far too many pixels. Please make it smaller."


MEMORY_PROBE = """
import json, resource, sys
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from ambassadors.images import image_clean, image_validate
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
f = SimpleUploadedFile("big.png", data)
image_validate(f)
image_clean(f, name="big.png")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"grew_mb": (after - before) / 1024}))
"""


def test_the_largest_accepted_picture_stays_under_the_documented_memory_cap(tmp_path):
    """README: processing one upload takes at most about 200 MB on top of the process."""
    path = tmp_path / "largest.png"
    path.write_bytes(png_bytes((4800, 4800), "RGBA"))  # 92 MB decoded: just inside the budget
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path)],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "portal.settings.test", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["grew_mb"] < 200


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparent_parts_become_white_in_the_link_preview(comms_user, mode):
    img = Image.new("RGBA", (1600, 900), (0, 0, 0, 0))  # transparent black everywhere
    img.paste((200, 0, 0, 255), (0, 0, 800, 900))  # left half opaque red
    if mode == "LA":
        img = img.convert("LA")
    elif mode == "P":
        img = img.convert("P", palette=Image.Palette.ADAPTIVE)
        img.info["transparency"] = img.getpixel((1599, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG", **({"transparency": img.info["transparency"]} if mode == "P" else {}))
    item = item_create(by=comms_user, title="Logo", image=upload(buf.getvalue()), image_alt="x")
    with default_storage.open(og_image_name(item.image.name)) as og:
        preview = Image.open(og).convert("RGB")
        right = preview.getpixel((1150, 315))
        assert all(channel >= 250 for channel in right), right


def heic_bytes(size=(1600, 1200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buf, format="HEIF", quality=80)
    return buf.getvalue()


def test_iphone_heic_photos_are_accepted_and_stored_as_jpeg(client_as, comms_user):
    heic = SimpleUploadedFile("IMG_0001.HEIC", heic_bytes(), content_type="image/heic")
    response = client_as(comms_user).post(
        reverse("ambassadors:studio_item_new"),
        form_data(title="From my phone", image=heic, image_alt="Blue"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = Item.objects.get()
    assert item.image.name.endswith(".jpg")
    with default_storage.open(item.image.name) as stored:
        img = Image.open(stored)
        assert (img.format, img.size) == ("JPEG", (1600, 1200))
    with default_storage.open(og_image_name(item.image.name)) as og:
        assert Image.open(og).size == (1200, 630)
