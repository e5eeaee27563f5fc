"""Co-design: save versions, comment, propose as final, agree, reopen, cancel."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accords import fingerprint as fp
from accords.models import (
    Accord,
    AccordVersion,
    VersionApproval,
    VersionComment,
    VersionStatus,
)
from accords.rules import ACCORDS, Action
from accords.services import _common as c
from accords.services.drafts import (
    VersionDraft,
    clean_draft,
    cycle_kind_and_start,
    insert_version,
    same_content,
)
from audit.services import audit_log
from core.fsm import fire
from core.notify import notify


def version_create(
    *,
    actor,
    accord: Accord,
    draft: VersionDraft,
    change_note: str = "",
    kind: str | None = None,
) -> AccordVersion:
    """Save the text as a new version. Nothing saved before changes."""
    draft = clean_draft(draft)
    change_note = c.clean_text(change_note, label=_("What changed"), required=False, limit=300)
    with transaction.atomic(durable=True):
        accord = c.lock(accord)
        return create_locked(
            actor=actor, accord=accord, draft=draft, change_note=change_note, kind=kind
        )


def create_locked(*, actor, accord: Accord, draft: VersionDraft, change_note: str, kind):
    """`version_create` on an accord already locked by the caller's transaction."""
    allowed = ACCORDS.allows(actor, Action.EDIT, accord)
    if not allowed and allowed.wrong_person:
        allowed.enforce()
    if c.agreed_version(accord) is not None:
        raise ValidationError(
            _(
                "Both sides agreed on the text and it is locked for signing. Reopen the "
                "co-design to change it."
            ),
            code="locked",
        )
    allowed.enforce()
    side = c.side_of(actor, accord)
    base = c.latest_version(accord)
    if accord.current_version_id and base is not None and base.is_signed:
        base = accord.current_version
    kind, fixed_start = cycle_kind_and_start(accord, base, kind)
    if fixed_start is not None and draft.start_date != fixed_start:
        raise ValidationError(
            {
                "start_date": _(
                    "An amendment keeps the start date of the accord (%(date)s); a renewal "
                    "starts the day after it ends."
                )
                % {"date": fixed_start.isoformat()}
            },
            code="start_fixed",
        )
    c.check_end_date(accord, draft.start_date, draft.end_date)
    if base is not None and same_content(draft, base):
        raise ValidationError(
            _("Nothing changed since version %(n)s.") % {"n": base.number}, code="unchanged"
        )
    version = insert_version(
        accord=accord,
        actor=actor,
        side=side,
        draft=draft,
        kind=kind,
        base=base,
        change_note=change_note,
    )
    audit_log(
        actor=actor,
        action="accord.version.create",
        obj=accord,
        after={"version": version.number, "kind": version.kind, "side": side},
        reason=change_note,
    )
    return version


def version_comment(*, actor, version: AccordVersion, body: str) -> VersionComment:
    body = c.clean_text(body, label=_("Comment"), limit=4000)
    accord = version.accord
    side = c.check(actor, Action.COMMENT, accord)
    with transaction.atomic(durable=True):
        comment = VersionComment.objects.create(version=version, author=actor, side=side, body=body)
        audit_log(
            actor=actor,
            action="accord.version.comment",
            obj=accord,
            after={"version": version.number, "comment": comment.pk},
        )
    notify(
        c.other_side_users(accord, side),
        "accord.comment",
        lambda: (
            _("New comment on version %(n)s of accord %(ref)s.")
            % {"n": version.number, "ref": accord.reference}
        ),
        accord.workspace_url() + f"#v{version.number}",
    )
    return comment


def _approvable(accord: Accord, version: AccordVersion) -> None:
    latest = c.latest_version(accord)
    if version.accord_id != accord.pk or latest is None:
        raise ValidationError(_("This version does not belong to the accord."))
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("Version %(n)s is “%(status)s”; only a draft can be agreed.")
            % {"n": version.number, "status": version.get_status_display()},
            code="not_draft",
        )
    if version.number != latest.number:
        raise ValidationError(
            _("Version %(n)s is not the latest: agree on version %(latest)s instead.")
            % {"n": version.number, "latest": latest.number},
            code="not_latest",
        )


def version_propose_final(*, actor, version: AccordVersion) -> VersionApproval:
    """One side proposes the version as final; the other side is asked to agree."""
    with transaction.atomic(durable=True):
        accord = c.lock(version.accord)
        return propose_locked(actor=actor, accord=accord, version=version)


def propose_locked(*, actor, accord: Accord, version: AccordVersion) -> VersionApproval:
    """`version_propose_final` on an accord already locked by the caller's transaction."""
    side = c.check(actor, Action.PROPOSE, accord)
    version = AccordVersion.objects.get(pk=version.pk)
    _approvable(accord, version)
    if version.approvals.filter(side=side).exists():
        raise ValidationError(
            _("Your side has already proposed this version as final."), code="already"
        )
    if version.approvals.exists():
        raise ValidationError(
            _("The other side has already proposed this version: agree to it instead."),
            code="agree_instead",
        )
    approval = VersionApproval.objects.create(version=version, side=side, user=actor)
    audit_log(
        actor=actor,
        action="accord.version.propose",
        obj=accord,
        after={"version": version.number, "side": side},
    )
    notify(
        c.other_side_users(accord, side),
        "accord.proposed",
        lambda: (
            _(
                "Version %(n)s of accord %(ref)s was proposed as final. Review it and agree, or "
                "keep editing."
            )
            % {"n": version.number, "ref": accord.reference}
        ),
        accord.workspace_url() + f"#v{version.number}",
    )
    return approval


def version_agree(*, actor, version: AccordVersion) -> AccordVersion:
    """The other side agrees: the version is locked, fingerprinted and goes to signing."""
    with transaction.atomic(durable=True):
        accord = c.lock(version.accord)
        side = c.check(actor, Action.AGREE, accord)
        version = AccordVersion.objects.get(pk=version.pk)
        _approvable(accord, version)
        sides = set(version.approvals.values_list("side", flat=True))
        if side in sides:
            raise ValidationError(
                _("Your side has already agreed; the other side has to agree now."),
                code="already",
            )
        if not sides:
            raise ValidationError(
                _("Nobody has proposed this version as final yet: propose it first."),
                code="propose_first",
            )
        VersionApproval.objects.create(version=version, side=side, user=actor)
        version.accord = accord
        fire(
            version,
            "lock",
            actor=actor,
            fingerprint=fp.fingerprint(version),
            locked_at=timezone.now(),
        )
        agreed = {"version": version.number, "fingerprint": version.fingerprint}
        if accord.machine.can(accord, "agree"):  # the first text; an amendment keeps the state
            c.move(
                accord,
                "agree",
                actor=actor,
                audit_action="accord.version.agree",
                audit_after=agreed,
            )
        else:
            audit_log(
                actor=actor,
                action="accord.version.agree",
                obj=accord,
                after={**agreed, "state": accord.state},
            )
    url = accord.workspace_url() + "#signing"
    notify(
        [*c.civic_users(accord), *c.signatories(accord)],
        "accord.sign_needed",
        lambda: (
            _("Both sides agreed on version %(n)s of accord %(ref)s. Your signature is needed.")
            % {"n": version.number, "ref": accord.reference}
        ),
        url,
    )
    return version


def accord_reopen(*, actor, accord: Accord, reason: str) -> Accord:
    """Withdraw the agreement on the locked version (before it is fully signed)."""
    reason = c.clean_text(reason, label=_("Reason"), limit=2000)
    with transaction.atomic(durable=True):
        accord = c.lock(accord)
        side = c.check(actor, Action.REOPEN, accord)
        version = c.withdraw_agreement(accord, actor=actor)
        if version is None:
            raise ValidationError(_("There is no agreed version waiting for signatures."))
        reopened = {"version": version.number, "side": side}
        if accord.machine.can(accord, "reopen"):  # the first text; an amendment keeps the state
            c.move(accord, "reopen", actor=actor, reason=reason, audit_after=reopened)
        else:
            audit_log(
                actor=actor, action="accord.reopen", obj=accord, after=reopened, reason=reason
            )
    notify(
        c.other_side_users(accord, side),
        "accord.reopened",
        lambda: (
            _("The co-design of accord %(ref)s was reopened: %(reason)s")
            % {"ref": accord.reference, "reason": reason[:200]}
        ),
        accord.workspace_url(),
    )
    return accord


def accord_cancel(*, actor, accord: Accord, reason: str) -> Accord:
    """The city gives up an accord that was never signed; the claim may start a new one."""
    reason = c.clean_text(reason, label=_("Reason"), limit=2000)
    with transaction.atomic(durable=True):
        accord = c.lock(accord)
        c.check(actor, Action.CANCEL, accord)
        c.withdraw_agreement(accord, actor=actor)
        c.move(accord, "cancel", actor=actor, reason=reason, cancellation_reason=reason)
    notify(
        c.civic_users(accord),
        "accord.cancelled",
        lambda: (
            _("The city cancelled the draft accord %(ref)s: %(reason)s")
            % {"ref": accord.reference, "reason": reason[:200]}
        ),
        accord.workspace_url(),
    )
    return accord
