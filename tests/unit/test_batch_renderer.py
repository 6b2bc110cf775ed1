"""The batch e-mail renderer fills templates rendered once with slots; it must give what Jinja gives, whatever
the texts hold (markup, quotes, braces, the slot characters themselves)."""

from __future__ import annotations

import pytest

from domain.notify.mail import BatchRenderer, Message

NASTY = [
    "Budi Santoso",
    'Siti O\'Neil <b>&</b> "Co"',
    "{0} {} }{ {{x}}",
    "\ue0001\ue001 \ue000x\ue001",
    "Ünïcödé — ✓",
    "",
]


def _message(text: str, *, footer: str = "Salam", details: int = 0, links: int = 2) -> Message:
    return Message(
        subject=f"Kursi {text} berakhir",
        greeting=f"Halo {text},",
        paragraphs=[f"Masa kursi {text} berakhir.", "Terima kasih & sampai jumpa <lagi>."],
        details=[(f"Label {i} {text}", f"value {i} {text}") for i in range(details)],
        links=[(f"Link {i} {text}", f"https://shop.example/order/{i}?t={text}&x=1") for i in range(links)],
        footer=footer,
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_message_comes_out_as_the_templates_render_it(lang) -> None:
    renderer = BatchRenderer()
    for text in NASTY:
        for shape in ({}, {"footer": ""}, {"details": 2}, {"links": 0}):
            message = _message(text, **shape)
            assert renderer.render(message, lang) == message.render(lang), (text, shape)
    assert all(skeleton is not None for skeleton in renderer._skeletons.values()), "every shape went the fast way"


def test_the_fast_way_is_the_slots_filled(monkeypatch) -> None:
    renderer = BatchRenderer()
    first, second = _message("satu"), _message("<dua>")
    renderer.render(first, "id")  # the shape's first message: rendered directly, and the skeleton checked
    monkeypatch.setattr(Message, "render", lambda self, lang: pytest.fail("rendered directly"))
    html, text = renderer.render(second, "id")
    assert "Halo &lt;dua&gt;," in html and "Halo <dua>," in text
