"""The owner saves the shop's settings: each value checked (an Indonesian message, nothing saved on bad input),
owner only, audited with before and after; the change feed's "settings" topic empties every process's cache."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import asdict
from typing import Any

from sqlmodel import Session

from domain.shared.audit import record_audit
from domain.shared.errors import Conflict, ValidationFailed
from domain.shared.models import AdminUser, ShopSetting
from domain.shared.shop_settings import KEYS, SETTINGS_TOPIC, ShopConfig, read_shop_config
from domain.shared.validation import normalize_email, normalize_phone, parse_whole_number, storable
from infra.changes import announce
from infra.types import utcnow

NAME_MAX = 60
TAGLINE_MAX = 160
BANNER_MAX = 300
SHARED_MAX = 1_000  # characters of the home page's "akun bersama" explanation
LEGAL_MAX = 20_000  # characters of the terms or the privacy text
URL_MAX = 500
LOGO_MAX_BYTES = 100_000  # an uploaded logo, decoded
LOGO_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")  # no SVG: it can carry script
WINDOW_MINUTES = (10, 1440)  # a payment window from ten minutes to a day
THRESHOLD = (0, 10_000)
REMINDER_DAY_RANGE = (1, 30)
GRACE_DAYS = (0, 60)  # days after a seat ended within which its customer can renew it
ACCOUNT_REMINDER_DAYS = (1, 30)  # days before an account's subscription renews that the owner is reminded
_DATA_URL = re.compile(r"data:(image/[a-z]+);base64,([A-Za-z0-9+/=\s]+)")
_HTTPS_URL = re.compile(r"https://[^\s\"'<>]+")
OWNER_ONLY = "Hanya pemilik (owner) yang boleh mengubah pengaturan toko."


def _text(value: Any, label: str, key: str, max_length: int, *, required: bool = False, multiline: bool = False) -> str:
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise ValidationFailed(f"{label} wajib diisi.", field=key)
    if len(text) > max_length:
        raise ValidationFailed(f"{label} terlalu panjang (paling banyak {max_length} karakter).", field=key)
    try:
        return storable(text, key, multiline=multiline)
    except ValidationFailed:
        raise ValidationFailed(f"{label} berisi karakter yang tidak bisa disimpan.", field=key) from None


def image_type(content: bytes) -> str | None:
    """The image type the bytes themselves say (not what a browser claims), or None."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def logo_data_url(content: bytes) -> str:
    """An uploaded logo as a data: URL, or ValidationFailed (not an image, or too large)."""
    kind = image_type(content)
    if kind is None:
        raise ValidationFailed("Logo harus gambar PNG, JPEG, WebP atau GIF.", field="logo")
    if len(content) > LOGO_MAX_BYTES:
        raise ValidationFailed(f"Logo terlalu besar (paling besar {LOGO_MAX_BYTES // 1000} KB).", field="logo")
    return f"data:{kind};base64,{base64.b64encode(content).decode()}"


def check_logo(value: Any) -> str:
    """An https:// address, or a data:image/… URL of a PNG, JPEG, WebP or GIF of at most LOGO_MAX_BYTES."""
    text = str(value or "").strip()
    if not text:
        return ""
    if text.startswith("data:"):
        match = _DATA_URL.fullmatch(text)
        if match is None or match.group(1) not in LOGO_TYPES:
            raise ValidationFailed("Logo harus gambar PNG, JPEG, WebP atau GIF.", field="logo")
        try:
            content = base64.b64decode(re.sub(r"\s", "", match.group(2)), validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed("Berkas logo rusak atau bukan gambar.", field="logo") from None
        if image_type(content) != match.group(1):
            raise ValidationFailed("Berkas logo rusak atau bukan gambar.", field="logo")
        return logo_data_url(content)
    if len(text) > URL_MAX or not _HTTPS_URL.fullmatch(text):
        raise ValidationFailed("Alamat logo harus diawali https:// (atau unggah gambar).", field="logo")
    return text


def _number(value: Any, label: str, key: str, bounds: tuple[int, int], unit: str = "") -> int:
    low, high = bounds
    try:
        return parse_whole_number(value if value is not None else "", key, minimum=low, maximum=high)
    except ValidationFailed:
        raise ValidationFailed(f"{label} harus bilangan bulat dari {low} sampai {high}{unit}.", field=key) from None


def check_reminder_days(value: Any) -> tuple[int, int]:
    """ "3,1" (or [3, 1]): two whole days, the first larger than the second, each from 1 to 30."""
    low, high = REMINDER_DAY_RANGE
    parts = value if isinstance(value, list | tuple) else str(value or "").replace(" ", "").split(",")
    message = f"Hari pengingat: tulis dua angka {low}–{high} dipisah koma, yang pertama lebih besar (mis. 3,1)."
    if len(parts) != 2:
        raise ValidationFailed(message, field="reminder_days")
    try:
        first, second = (parse_whole_number(p, "reminder_days", minimum=low, maximum=high) for p in parts)
    except ValidationFailed:
        raise ValidationFailed(message, field="reminder_days") from None
    if first <= second:
        raise ValidationFailed(message, field="reminder_days")
    return (first, second)


def _whatsapp(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        return normalize_phone(text)
    except ValidationFailed:
        raise ValidationFailed(
            "Nomor WhatsApp bantuan harus nomor HP Indonesia (08… atau +62…).", field="support_whatsapp"
        ) from None


def _owner_whatsapp(value: Any) -> str:
    try:
        return _whatsapp(value)
    except ValidationFailed:
        raise ValidationFailed(
            "Nomor WhatsApp pemilik harus nomor HP Indonesia (08… atau +62…).", field="owner_whatsapp"
        ) from None


def _email(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        return normalize_email(text, field="support_email")
    except ValidationFailed:
        raise ValidationFailed("E-mail bantuan tidak valid.", field="support_email") from None


def _switch(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed("Pilihan hidup/mati tidak terbaca.", field=key)
    return value


def check_setting(key: str, value: Any) -> Any:
    """One setting as it will be stored, or ValidationFailed with an Indonesian message."""
    checks: dict[str, Any] = {
        "shop_name": lambda v: _text(v, "Nama toko", key, NAME_MAX, required=True),
        "logo": check_logo,
        "tagline": lambda v: _text(v, "Slogan", key, TAGLINE_MAX),
        "support_whatsapp": _whatsapp,
        "support_email": _email,
        "payment_window_minutes": lambda v: _number(v, "Batas waktu bayar", key, WINDOW_MINUTES, " menit"),
        "low_pool_threshold": lambda v: _number(v, "Batas stok menipis", key, THRESHOLD, " kursi"),
        "reminder_days": check_reminder_days,
        "banner_on": lambda v: _switch(v, key),
        "banner_text": lambda v: _text(v, "Teks pengumuman", key, BANNER_MAX),
        "terms_text": lambda v: _text(v, "Syarat & ketentuan", key, LEGAL_MAX, multiline=True),
        "privacy_text": lambda v: _text(v, "Kebijakan privasi", key, LEGAL_MAX, multiline=True),
        "owner_whatsapp": _owner_whatsapp,
        "renewal_grace_days": lambda v: _number(v, "Masa tenggang perpanjangan", key, GRACE_DAYS, " hari"),
        "account_reminder_days": lambda v: _number(v, "Pengingat langganan akun", key, ACCOUNT_REMINDER_DAYS, " hari"),
        "shared_text": lambda v: _text(v, "Penjelasan akun bersama", key, SHARED_MAX, multiline=True),
    }
    if key not in checks:
        raise ValidationFailed(f"Pengaturan {key!r} tidak dikenal.", field=key)
    return checks[key](value)


def _stored(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def save_shop_settings(
    *, session: Session, admin_id: int, changes: dict[str, Any], ip: str | None = None
) -> ShopConfig:
    """Save the changed settings (every one checked first: one refused, none saved) for an active owner; one
    audit entry with each changed key's before and after. Returns the settings as they are now."""
    admin = session.get(AdminUser, admin_id)
    if admin is None or not admin.is_active or admin.role != "owner":
        raise Conflict(OWNER_ONLY)
    unknown = sorted(set(changes) - set(KEYS))
    if unknown:
        raise ValidationFailed(f"Pengaturan tidak dikenal: {', '.join(unknown)}.")
    checked = {key: check_setting(key, value) for key, value in changes.items()}
    now_config = read_shop_config(session=session)
    if checked.get("banner_on", now_config.banner_on) and not checked.get("banner_text", now_config.banner_text):
        raise ValidationFailed("Tulis teks pengumuman sebelum menyalakannya.", field="banner_text")
    before_all = {k: _stored(v) for k, v in asdict(now_config).items()}
    changed = {key: _stored(value) for key, value in checked.items() if _stored(value) != before_all[key]}
    if not changed:
        return now_config
    actor = f"admin:{admin.email}"
    for key, value in changed.items():
        row = session.get(ShopSetting, key)
        if row is None:
            row = ShopSetting(key=key)
        row.value, row.updated_at, row.updated_by = value, utcnow(), actor
        session.add(row)
    session.flush()
    record_audit(
        session=session,
        actor=actor,
        action="settings.update",
        entity=SETTINGS_TOPIC,
        entity_id=None,
        before={key: _logged(key, before_all[key]) for key in changed},
        after={key: _logged(key, value) for key, value in changed.items()},
        ip=ip,
    )
    announce(session=session, topics=(SETTINGS_TOPIC,))
    return read_shop_config(session=session)


def _logged(key: str, value: Any) -> Any:
    """What the audit keeps of a value: an uploaded logo by its size, not its bytes."""
    if key == "logo" and isinstance(value, str) and value.startswith("data:"):
        return f"{value.split(';', 1)[0]} ({len(value)} karakter)"
    return value
