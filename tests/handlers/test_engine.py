"""The engine: dedupe, routing of commands and choices, stale buttons, failures."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from handlers.context import Context
from handlers.messages import Inbound
from handlers.registry import Step, choice_step, command, step
from storage.models import Conversation, InboundKey, OutboxMessage, Person, Role
from tests.support.chat import joined

EVERYONE = {"admin", "leader", "focal"}


@command("thu", roles=EVERYONE)
async def start_probe(ctx: Context) -> Step | None:
    """A small test dialog: pick a colour, then type a word."""
    ctx.ask("Màu gì?", [("do", "Đỏ"), ("xanh", "Xanh lá")])
    return receive_colour


@choice_step
async def receive_colour(ctx: Context) -> Step | None:
    """Keep the colour and ask for a word."""
    ctx.data["colour"] = ctx.choice
    ctx.ask("Từ gì?")
    return receive_word


@step
async def receive_word(ctx: Context) -> Step | None:
    """Fail on 'boom', else finish with what was entered."""
    if ctx.text == "boom":
        raise RuntimeError("a bug in a step")
    ctx.say(f"{ctx.data['colour']}:{ctx.text}")
    return None


def _conversation(database, external_id: str = "1001") -> Conversation:
    with Session(database) as session:
        return session.exec(
            select(Conversation).where(Conversation.external_id == external_id)
        ).one()


async def test_redelivered_event_is_processed_once(engine, database):
    """Telegram may deliver an update twice: the second copy does nothing."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    event = Inbound("telegram", "1001", "1001", "telegram:99", dt.datetime.now(dt.UTC), text="/thu")
    assert await engine.handle(event)
    assert await engine.handle(event) == []
    assert chat.inbox() == ["Màu gì?"]
    with Session(database) as session:
        assert session.get(InboundKey, "telegram:99") is not None


async def test_choice_by_button_digit_or_label(engine):
    """A choice comes back as button data, its number, or its label without diacritics."""
    tg = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    await tg.send("/thu")
    assert await tg.tap("Xanh lá") == ["Từ gì?"]
    zalo = await joined(
        engine, Role.FOCAL, "Bình", unit="Thôn Tây", channel="zalo", external_id="z9"
    )
    await zalo.send("/thu")
    assert await zalo.send("2") == ["Từ gì?"]
    await zalo.send("/thu")
    assert await zalo.send("XANH LA") == ["Từ gì?"]
    assert await zalo.send("gió") == ["xanh:gió"]


async def test_free_text_at_a_choice_step_repeats_the_question(engine):
    """Typing instead of choosing explains and asks again, keeping the dialog in place."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    await chat.send("/thu")
    for bad in ["tím", "😀", "x" * 5000, "7"]:
        assert await chat.send(bad) == ["Vui lòng chọn một trong các mục dưới đây.", "Màu gì?"]
    assert await chat.tap("Đỏ") == ["Từ gì?"]


async def test_stale_button_is_refused_and_dialog_kept(engine, database):
    """A button from an earlier question does nothing; the current question is asked again."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    await chat.send("/thu")
    old = chat.choices[0][0]
    await chat.tap("Đỏ")
    replies = await chat.press(old)
    assert replies == ["Nút này thuộc tin nhắn cũ và không còn hiệu lực.", "Từ gì?"]
    assert _conversation(database).step == "test_engine.receive_word"
    assert await chat.send("mưa") == ["do:mưa"]
    assert await chat.press(old) == [
        "Nút này thuộc tin nhắn cũ và không còn hiệu lực.",
        "Anh/chị muốn làm gì?",
    ]


async def test_forged_callback_data_is_stale(engine):
    """Callback data the bot never offered is treated as an old button."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    await chat.send("/thu")
    replies = await chat.press("999.do")
    assert replies[0] == "Nút này thuộc tin nhắn cũ và không còn hiệu lực."


async def test_failing_step_apologises_and_keeps_what_was_entered(engine, database):
    """A bug in a step rolls the event back; the person is told and can answer again."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    await chat.send("/thu")
    await chat.tap("Đỏ")
    replies = await chat.send("boom")
    assert replies[0].startswith("Xin lỗi, hệ thống gặp sự cố.")
    assert _conversation(database).data["colour"] == "do"
    assert await chat.send("nắng") == ["do:nắng"]


async def test_cancel_leaves_the_dialog(engine, database):
    """/huy ends the dialog and forgets what was entered."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    await chat.send("/thu")
    await chat.tap("Đỏ")
    replies = await chat.send("/huy")
    assert replies == ["Đã hủy. Không lưu gì từ thao tác vừa rồi. Gửi /menu để bắt đầu lại."]
    conversation = _conversation(database)
    assert (conversation.step, conversation.data) == ("", {})


async def test_unknown_command_keeps_the_dialog(engine):
    """An unknown command is explained and the current question repeated."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    await chat.send("/thu")
    assert await chat.send("/khongco") == [
        "Không có lệnh này. Gửi /menu để xem các việc anh/chị có thể làm.",
        "Màu gì?",
    ]


async def test_menu_offers_commands_and_zalo_digit_starts_one(engine):
    """On Zalo the menu is numbered; replying with a number starts that command."""
    chat = await joined(
        engine, Role.FOCAL, "Bình", unit="Thôn Tây", channel="zalo", external_id="z1"
    )
    await chat.send("menu")
    labels = chat.labels()
    assert "Ngôn ngữ" in labels
    assert await chat.send(str(labels.index("Ngôn ngữ") + 1)) == ["Anh/chị muốn dùng ngôn ngữ nào?"]


async def test_language_switch_to_english_and_back(engine, database):
    """/ngonngu switches this person's language; replies follow at once."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    await chat.send("/ngonngu")
    assert await chat.tap("English") == ["Language set to English."]
    assert await chat.send("/khongco") == [
        "I don't know that command. Send /menu to see what you can do."
    ]
    await chat.send("/ngonngu")
    assert await chat.tap("Tiếng Việt") == ["Đã chuyển sang tiếng Việt."]
    with Session(database) as session:
        assert session.exec(select(Person)).one().locale == "vi"


async def test_replies_are_in_the_outbox_before_anything_is_sent(engine, database):
    """Every reply is an outbox row, pending, in the person's language."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    await chat.send("/thu")
    with Session(database) as session:
        row = session.exec(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()  # type: ignore[union-attr]
        assert row is not None
        assert (row.status, row.locale, row.text) == ("pending", "vi", "Màu gì?")
        assert [label for _cid, label in row.choices] == ["Đỏ", "Xanh lá"]


@command("nhac", roles=EVERYONE, keeps_dialog=True)
async def one_shot(ctx: Context) -> Step | None:
    """A one-shot command, like tapping Đã nhận on a pushed directive."""
    ctx.say(f"đã ghi {ctx.args}")
    return None


async def test_one_shot_tap_keeps_the_dialog_in_progress(engine, database):
    """Tapping a pushed message's button mid-dialog answers it and returns to the question."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    await chat.send("/thu")
    await chat.tap("Xanh lá")
    assert await chat.press("/nhac 7") == ["đã ghi 7", "Từ gì?"]
    assert _conversation(database).data["colour"] == "xanh"
    assert await chat.send("mây") == ["xanh:mây"]


async def test_help_mid_dialog_keeps_the_dialog(engine):
    """/help explains and then repeats the question the dialog was waiting on."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    await chat.send("/thu")
    replies = await chat.send("/help")
    assert replies[0].startswith("Bấm nút hoặc trả lời bằng số thứ tự.")
    assert replies[-1] == "Màu gì?"
    assert await chat.send("1") == ["Từ gì?"]


async def test_an_answer_starting_with_a_slash_reaches_the_step(engine):
    """'/UBND-VHXH' is a document number, not a command, when a step waits for text."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    await chat.send("/thu")
    await chat.tap("Đỏ")
    assert await chat.send("/UBND-VHXH") == ["do:/UBND-VHXH"]


async def test_a_reply_of_thousands_of_digits_is_just_bad_input(engine):
    """A 5,000-digit reply at a choice step is refused like any other, not a crash."""
    chat = await joined(engine, Role.FOCAL, "An", unit="Thôn Đông")
    await chat.send("/thu")
    assert await chat.send("1" * 5000) == ["Vui lòng chọn một trong các mục dưới đây.", "Màu gì?"]
