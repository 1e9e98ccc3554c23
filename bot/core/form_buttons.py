"""The forms engine's own buttons: each carries the session and the version it was drawn for (and an option's
index where there is one), so a press is honoured only on that version of that person's open session."""
from __future__ import annotations

from pydantic import Field

from bot.core.actions import ActionData


class FormPress(ActionData):
    session: int = Field(alias="s")
    version: int = Field(alias="v")


class FormOptionPress(FormPress):
    option: int = Field(alias="o")


class FormBack(FormPress, name="form.back"):
    pass


class FormSkip(FormPress, name="form.skip"):
    pass


class FormCancel(FormPress, name="form.cancel"):
    pass


class FormConfirm(FormPress, name="form.confirm"):
    pass


class FormStop(FormPress, name="form.stop"):
    """Leave a form that keeps drafts: nothing changes, the answers wait in /drafts."""


class FormDiscard(FormPress, name="form.discard"):
    """Asks "Discard N answers?" first; only FormDiscardYes throws them away."""


class FormDiscardYes(FormPress, name="form.discard_yes"):
    pass


class FormKeep(FormPress, name="form.keep"):
    """No to the discard question: back to where the form was."""


class FormInsist(FormPress, name="form.insist"):
    """Submit despite a soft problem."""


class FormEdit(FormPress, name="form.edit"):
    """From the summary to the list of questions to change."""


class FormReview(FormPress, name="form.review"):
    """From that list back to the summary."""


class FormDone(FormPress, name="form.done"):
    """A multiple choice is complete."""


class FormPick(FormOptionPress, name="form.pick"):
    """A choice's option (its index) or a scale's number."""


class FormToggle(FormOptionPress, name="form.toggle"):
    """A multiple choice's option, on or off."""


class FormSuggest(FormOptionPress, name="form.suggest"):
    """A suggested answer (its index) for a typed question."""


class FormGoto(FormOptionPress, name="form.goto"):
    """Go to a question (its index) to change it."""


class FormNumber(FormOptionPress, name="form.number"):
    """One of the numbers of a typed range ("10-15": which one?), for a number question."""


class FormUseKept(FormPress, name="form.use_kept"):
    """Yes to "use the text you typed earlier as this answer?"."""


class FormDropKept(FormPress, name="form.drop_kept"):
    """No to that: the person types another answer."""


FORM_BUTTONS: dict[str, type[FormPress]] = {m.action_name: m for m in (
    FormBack, FormSkip, FormCancel, FormConfirm, FormStop, FormDiscard, FormDiscardYes, FormKeep, FormInsist,
    FormEdit, FormReview, FormDone, FormPick, FormToggle, FormSuggest, FormGoto, FormNumber, FormUseKept,
    FormDropKept)}
