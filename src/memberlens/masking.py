"""Masks personal data for display; the privacy module will own access rules later."""

from __future__ import annotations


def mask_phone(phone: str | None) -> str | None:
    """13812345678 → 138****5678."""
    if not phone:
        return phone
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def mask_email(email: str | None) -> str | None:
    """zhang.wei@qq.com → z***@qq.com."""
    if not email or "@" not in email:
        return email
    user, domain = email.split("@", 1)
    return f"{user[:1]}***@{domain}"


def mask_name(name: str | None) -> str | None:
    """张伟 → 张*, 欧阳娜娜 → 欧***."""
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_date(value: object) -> str | None:
    """A birthday keeps its year only: 1990-**-**."""
    if value is None:
        return None
    return str(value)[:4] + "-**-**"
