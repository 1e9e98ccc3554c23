"""A turn's batch goes out with the acting person's conversation first (a manager's /ping summary is not held
behind the pings it sends in the bulk lane), and no message overtakes another in the same conversation."""
from __future__ import annotations

from bot.core.blocks import Reply, text
from bot.core.operations import Delivery, SendMessage
from bot.core.runtime import actor_first


def _delivery(chat: str, label: str, answering: bool) -> Delivery:
    return Delivery(op=SendMessage(message=Reply(blocks=[text(label)])), platform="telegram", chat_id=chat,
                    reply_context={"chat_id": chat} if answering else {})


def test_the_actors_conversation_goes_first_and_each_conversation_keeps_its_order():
    staged = [(1, _delivery("ana", "ping 1", False)), (2, _delivery("bo", "ping 2", False)),
              (3, _delivery("meg", "summary", True)), (4, _delivery("ana", "ping 1, part 2", False)),
              (5, _delivery("meg", "a note to the manager", False))]
    assert [outbox_id for outbox_id, _ in actor_first(staged)] == [3, 5, 1, 2, 4]


def test_a_batch_without_a_reply_keeps_its_order():
    staged = [(1, _delivery("ana", "a", False)), (2, _delivery("bo", "b", False)), (3, _delivery("ana", "c", False))]
    assert actor_first(staged) == staged
