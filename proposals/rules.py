"""Who may do what with resources, claims and reviews: one table per model. (Comments are the
comments app's; a claim says who may comment on it through its "comment" rule here.)

Each policy (`core.policy`) answers "may this user do this to this object now?"
(`claim_policy.allows(user, "withdraw", claim)`, a `Verdict`) and "on which objects may this
user do it?" (`claim_policy.queryset(user, "view")`) from the same table, so pages, the API,
lists and services cannot disagree. Actions that move a claim along its lifecycle name the
transitions of `Claim.machine` they fire (`moves=`): their states and the refusals for a
wrong state come from the machine. Services let `core.fsm.fire` ask the policy, or call
`.enforce()` on a verdict: a wrong person raises PermissionDenied, a wrong moment a
ValidationError; both carry a code (`verdict.wrong_person` tells them apart).
"""

from dataclasses import replace

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citizens import rules as citizen_rules
from citizens.rules import is_administrator, is_moderator, is_officer, is_verified_resident
from core.policy import (
    ALLOW,
    ANYONE,
    AUTHENTICATED,
    EVERY,
    NONE,
    Policy,
    Rule,
    Who,
    deny_state,
    register,
    role,
)
from proposals.models import Claim, ClaimCoauthor, ReviewRequest, UrbanResource
from proposals.models.claims import (
    EDITABLE_STATES,
    OPEN_STATES,
    PUBLIC_STATES,
    REVIEWABLE_STATES,
)

# Permission names this app relies on ("app_label.codename"). A test asserts each exists.
PERM_OFFICER = citizen_rules.PERM_OFFICER
PERM_MODERATE = citizen_rules.PERM_MODERATE
PERM_MANAGE_PROCEDURE = citizen_rules.PERM_MANAGE_PROCEDURE
PERM_VIEW_CLAIM_ADMIN = "proposals.view_claim"
PERM_CHANGE_RESOURCE_ADMIN = "proposals.change_urbanresource"

ALL_PERMISSIONS = [
    PERM_OFFICER,
    PERM_MODERATE,
    PERM_MANAGE_PROCEDURE,
    PERM_VIEW_CLAIM_ADMIN,
    PERM_CHANGE_RESOURCE_ADMIN,
]

S = Claim.State

# Who --------------------------------------------------------------------------------------

RESIDENT = role(
    "verified resident",
    is_verified_resident,
    _("Only residents with a verified residency can do this. Verify it in your profile."),
)
OFFICER = role("officer", is_officer, _("Only city officers can do this."))
MODERATOR = role("moderator", is_moderator, _("Only moderators can do this."))
ADMINISTRATOR = role("administrator", is_administrator, _("Only administrators can do this."))


def _proposed_by_q(user) -> Q:
    """Claims the user speaks for: author, accepted co-author, representative of the group."""
    ids = Claim.objects.filter(
        Q(created_by=user)
        | Q(coauthors__user=user, coauthors__state=ClaimCoauthor.State.ACCEPTED)
        | Q(group__memberships__user=user, group__memberships__is_representative=True)
    ).values("pk")
    return Q(pk__in=ids)


def _invited_q(user) -> Q:
    pending = ClaimCoauthor.objects.filter(user=user, state=ClaimCoauthor.State.PENDING)
    return Q(pk__in=pending.values("claim_id"))


def is_proposer(user, claim: Claim) -> bool:
    return user.is_authenticated and user.pk in claim.proposer_ids


def _is_invited(user, claim: Claim) -> bool:
    return claim.coauthors.filter(user=user, state=ClaimCoauthor.State.PENDING).exists()


PROPOSER = Who(
    "proposer",
    is_proposer,
    _proposed_by_q,
    refusal=_("Only the claim's proposers can do this."),
)
NOT_PROPOSER = Who(
    "not a proposer",
    lambda u, c: not is_proposer(u, c),
    lambda u: ~_proposed_by_q(u),
)
# Invited co-authors read the draft before answering.
INVITED = Who("invited co-author", _is_invited, _invited_q)
PUBLIC = Who(
    "anyone, once submitted",
    lambda u, c: c.state in PUBLIC_STATES,
    lambda u: Q(state__in=sorted(PUBLIC_STATES)),
    refusal=_("This draft is visible only to its proposers."),
    anonymous=True,
)

# Extra checks (what a table of states cannot say) -------------------------------------------


def _consultation_running(user, claim: Claim):
    if not claim.consultation_ends_at or timezone.now() >= claim.consultation_ends_at:
        return deny_state(_("The public consultation on this claim is closed."))
    return ALLOW


def _consultation_running_q(user) -> Q:
    return Q(consultation_ends_at__gt=timezone.now())


def _not_yet_supported(user, claim: Claim):
    verdict = _consultation_running(user, claim)
    if verdict and claim.supports.filter(user=user).exists():
        return deny_state(_("You already support this claim."))
    return verdict


# A claim's formal objections are comments of this kind (comments app), once per person.
OBJECTION = "objection"


def objections_of(claim: Claim):
    from django.contrib.contenttypes.models import ContentType

    from comments.models import Comment

    return Comment.objects.filter(
        content_type=ContentType.objects.get_for_model(Claim), object_id=claim.pk, kind=OBJECTION
    )


def _not_yet_objected(user, claim: Claim):
    verdict = _consultation_running(user, claim)
    if verdict and objections_of(claim).filter(author=user).exists():
        return deny_state(
            _("You have already objected to this claim. You can add comments instead.")
        )
    return verdict


def _departments_answered(user, claim: Claim):
    if claim.reviews.filter(state=ReviewRequest.State.PENDING).exists():
        return deny_state(
            _("Some departments have not answered yet. Wait for them or cancel the request.")
        )
    return ALLOW


def _departments_answered_q(user) -> Q:
    return ~Q(pk__in=ReviewRequest.objects.filter(state="pending").values("claim_id"))


def _has_invitation(user, claim: Claim):
    if not _is_invited(user, claim):
        return deny_state(_("There is no pending invitation for you on this claim."))
    return ALLOW


def _no_resource_yet(user, claim: Claim):
    if claim.resource_id:
        return deny_state(_("This claim already points to a resource."))
    return ALLOW


# The tables --------------------------------------------------------------------------------

CONSULTATION_ONLY = _("This claim is not in public consultation.")


class ClaimPolicy(Policy):
    model = Claim
    rules = {
        # Reading
        "list": Rule(ANYONE, PUBLIC_STATES),  # the public list and the API
        "view": Rule(PUBLIC | PROPOSER | ADMINISTRATOR | INVITED),
        "handle": Rule(OFFICER, OPEN_STATES),  # the office queue
        "view_file": Rule(
            OFFICER, PUBLIC_STATES, otherwise=_("Drafts are private to their proposers.")
        ),
        # Proposers
        "create": Rule(RESIDENT),
        "edit": Rule(
            PROPOSER,
            EDITABLE_STATES,
            otherwise=_(
                "A claim can be changed only as a draft or when the city asks for documents."
            ),
        ),
        "delete": Rule(
            PROPOSER,
            {S.DRAFT},
            otherwise=_("Only drafts can be deleted; withdraw a submitted claim instead."),
        ),
        "invite_coauthor": Rule(
            PROPOSER,
            {S.DRAFT},
            otherwise=_("Co-authors can be invited while the claim is a draft."),
        ),
        "answer_invitation": Rule(
            AUTHENTICATED,
            {S.DRAFT, *OPEN_STATES},
            otherwise=_("This claim is closed."),
            check=_has_invitation,
        ),
        "submit": Rule(PROPOSER & RESIDENT, moves=("submit",)),
        "provide_documents": Rule(PROPOSER, moves=("provide_documents",)),
        "withdraw": Rule(PROPOSER, moves=("withdraw",)),
        # Residents in the consultation
        "support": Rule(
            RESIDENT
            & replace(NOT_PROPOSER, refusal=_("Proposers cannot support their own claim.")),
            {S.CONSULTATION},
            otherwise=CONSULTATION_ONLY,
            check=_not_yet_supported,
        ),
        "unsupport": Rule(
            AUTHENTICATED,
            {S.CONSULTATION},
            otherwise=CONSULTATION_ONLY,
            check=_consultation_running,
            check_q=_consultation_running_q,
        ),
        "comment": Rule(
            RESIDENT,
            {S.CONSULTATION},
            otherwise=CONSULTATION_ONLY,
            check=_consultation_running,
            check_q=_consultation_running_q,
        ),
        "object": Rule(
            RESIDENT
            & replace(NOT_PROPOSER, refusal=_("Proposers cannot object to their own claim.")),
            {S.CONSULTATION},
            otherwise=CONSULTATION_ONLY,
            check=_not_yet_objected,
        ),
        # The city
        "start_screening": Rule(OFFICER, moves=("screening_start",)),
        "screen": Rule(OFFICER, moves=("admit", "declare_inadmissible", "request_documents")),
        "request_review": Rule(
            OFFICER,
            REVIEWABLE_STATES,
            otherwise=_(
                "Departments can be asked for an opinion during the consultation and the "
                "technical review."
            ),
        ),
        "refer_to_executive": Rule(
            OFFICER,
            moves=("refer_to_executive",),
            check=_departments_answered,
            check_q=_departments_answered_q,
        ),
        "approve": Rule(
            OFFICER,
            moves=("approve", "approve_after_deliberation"),
            check=_departments_answered,
            check_q=_departments_answered_q,
        ),
        "reject": Rule(
            OFFICER,
            moves=("reject",),
            check=_departments_answered,
            check_q=_departments_answered_q,
        ),
        "add_resource": Rule(
            OFFICER,
            PUBLIC_STATES,
            otherwise=_("Wait until the claim is submitted."),
            check=_no_resource_yet,
            check_q=lambda u: Q(resource__isnull=True),
        ),
    }


def _answering_department(user, review: ReviewRequest) -> bool:
    return is_administrator(user) or (
        review.department_id is not None and user.department_id == review.department_id
    )


def _answering_department_q(user) -> Q:
    if is_administrator(user):
        return EVERY
    return Q(department_id=user.department_id) if user.department_id else NONE


DEPARTMENT_ASKED = Who(
    "officer of the department asked",
    _answering_department,
    _answering_department_q,
    refusal=_("Only officers of the department asked can answer this review."),
)


def _claim_under_review(user, review: ReviewRequest):
    if review.claim.state not in REVIEWABLE_STATES:
        return deny_state(_("The claim is no longer under review."))
    return ALLOW


def _claim_under_review_q(user) -> Q:
    return Q(claim__state__in=sorted(REVIEWABLE_STATES))


ANSWERED_OR_CANCELLED = _("This review has already been answered or cancelled.")


class ReviewPolicy(Policy):
    model = ReviewRequest
    rules = {
        "answer": Rule(
            OFFICER & DEPARTMENT_ASKED,
            moves=("answer",),
            otherwise=ANSWERED_OR_CANCELLED,
            check=_claim_under_review,
            check_q=_claim_under_review_q,
        ),
        # The officers who ask for opinions may withdraw the request.
        "cancel": Rule(
            OFFICER,
            moves=("cancel",),
            otherwise=ANSWERED_OR_CANCELLED,
            check=_claim_under_review,
            check_q=_claim_under_review_q,
        ),
    }


class ResourcePolicy(Policy):
    model = UrbanResource
    rules = {
        "view": Rule(ANYONE),
        "manage": Rule(OFFICER),
    }


INVITEE = Who(
    "invitee",
    lambda u, c: c.user_id == u.pk,
    lambda u: Q(user=u),
    refusal=_("This invitation is for somebody else."),
)
CLAIM_PROPOSER = Who(
    "proposer of the claim",
    lambda u, c: is_proposer(u, c.claim),
    lambda u: Q(claim__in=Claim.objects.filter(_proposed_by_q(u)).values("pk")),
    refusal=_("Only the claim's proposers can do this."),
)


class CoauthorPolicy(Policy):
    """Invitations to co-author a claim (the claim's own rules say when: as a draft)."""

    model = ClaimCoauthor
    rules = {
        "answer": Rule(
            INVITEE,
            moves=("accept", "decline"),
            otherwise=_("There is no pending invitation for you on this claim."),
        ),
        "reinvite": Rule(
            CLAIM_PROPOSER,
            moves=("reinvite",),
            otherwise=_("This person has already been invited."),
        ),
    }


claim_policy = register(ClaimPolicy())
review_policy = register(ReviewPolicy())
resource_policy = register(ResourcePolicy())
coauthor_policy = register(CoauthorPolicy())

POLICIES = (claim_policy, review_policy, resource_policy, coauthor_policy)
