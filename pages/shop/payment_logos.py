"""The payment methods' badges on the home page: small inline SVGs drawn here (a name in the brand's colour on a
white card), each an image with its alt text. Nothing is fetched at runtime and no trademark artwork is copied."""

from __future__ import annotations

from html import escape

# (name shown, what a screen reader says, text colour: each >= 4.5:1 on white)
BADGES: tuple[tuple[str, str, str], ...] = (
    ("QRIS", "QRIS: semua e-wallet dan m-banking", "#b91c1c"),
    ("BCA", "BCA Virtual Account", "#1e3a8a"),
    ("BRI", "BRI Virtual Account", "#1d4ed8"),
    ("BNI", "BNI Virtual Account", "#c2410c"),
    ("Mandiri", "Mandiri Virtual Account", "#1e3a8a"),
    ("OVO", "OVO", "#5b21b6"),
    ("DANA", "DANA", "#0369a1"),
    ("ShopeePay", "ShopeePay", "#c2410c"),
    ("Alfamart", "Alfamart", "#b91c1c"),
    ("Indomaret", "Indomaret", "#1e40af"),
)
WIDTH, HEIGHT = 96, 40


def badge_svg(name: str, alt: str, colour: str) -> str:
    """One badge: the method's name centred on a rounded white card."""
    size = 16 if len(name) <= 6 else 13
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(alt)}" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" data-payment-logo="{escape(name)}">'
        f"<title>{escape(alt)}</title>"
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{HEIGHT - 1}" rx="6" fill="#fff" stroke="#cbd5e1"/>'
        f'<text x="50%" y="50%" dominant-baseline="central" text-anchor="middle" fill="{colour}" '
        f'font-family="Arial, Helvetica, sans-serif" font-weight="700" font-size="{size}">{escape(name)}</text>'
        "</svg>"
    )


def payment_logos_html(title: str) -> str:
    """Every badge under a heading, wrapping on a phone."""
    badges = "".join(badge_svg(*badge) for badge in BADGES)
    return (
        f'<section class="mb-6" data-payment-logos><h2 class="text-2xl font-bold mb-3">{escape(title)}</h2>'
        f'<div class="flex flex-wrap gap-2">{badges}</div></section>'
    )
