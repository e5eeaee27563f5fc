"""Demo processes: one in voting (Centro and Navile projects), one finished with results.

Idempotent: processes are found by title and left alone once they exist. Everything goes
through `budgeting.services` at the moment it would have happened (`core.clock.travel_to`):
the officer creates the process, residents submit ideas, the officer reviews them and opens
voting, residents vote online (their accounts) or in person and on paper, the officer closes
voting, counts and publishes. So every date and audit entry is one a real run produces.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from budgeting import services
from budgeting.models import Channel, Process
from citizens.census import census_import, identity_hash
from citizens.models import CensusRecord, User
from core.clock import travel_to
from proposals.models import UrbanResource

VOTING_TITLE = "Green Budget 2026"
FINISHED_TITLE = "Neighbourhood Budget 2025"

VOTING_PROJECTS = [
    # title, district, cost, description
    (
        "Trees for Piazza Aldrovandi",
        "Centro",
        60000,
        "Twelve new lime trees and benches in their shade along the square.",
    ),
    (
        "Drinking fountains in the centre",
        "Centro",
        35000,
        "Five public drinking fountains between Piazza Maggiore and the university.",
    ),
    (
        "Shade for the Giardino Margherita playground",
        "Centro",
        45000,
        "Sail shades and two trees over the playground, hot in summer afternoons.",
    ),
    (
        "Bike racks at the station",
        "Centro",
        25000,
        "Two hundred covered bike racks at the central station's east entrance.",
    ),
    (
        "Community garden at Parco della Zucca",
        "Navile",
        80000,
        "Raised beds, a tool shed and water for a garden run by neighbours.",
    ),
    (
        "Safer crossing on Via di Corticella",
        "Navile",
        120000,
        "A raised crossing and lights near the primary school.",
    ),
    (
        "Reading corner at the Lame library",
        "Navile",
        30000,
        "Comfortable seating and children's books for an unused room.",
    ),
    (
        "Pocket park in Bolognina",
        "Navile",
        90000,
        "Turn a car park corner into a small park with plants and seats.",
    ),
]
NOT_FEASIBLE = (
    "Free trams for everyone",
    "",
    "Public transport fares are set by the regional operator, not by the city's budget.",
)

FINISHED_PROJECTS = [
    ("C1", "Benches in Via del Pratello", "Centro", 20000),
    ("C2", "Mural on the Piazza Verdi wall", "Centro", 35000),
    ("C3", "Courtyard concerts in summer", "Centro", 50000),
    ("C4", "Accessible ramps for three churches", "Centro", 70000),
    ("C5", "Lighting for the Montagnola stairs", "Centro", 40000),
    ("N1", "Skate park at Parco Nord", "Navile", 90000),
    ("N2", "Repair café at the Navile market", "Navile", 25000),
    ("N3", "Trees along the canal path", "Navile", 60000),
    ("N4", "Playground at the Bolognina school", "Navile", 55000),
]
# How popular each finished project is (share of its district's voters who approve it).
POPULARITY = {
    "C1": 0.55,
    "C2": 0.35,
    "C3": 0.5,
    "C4": 0.4,
    "C5": 0.3,
    "N1": 0.45,
    "N2": 0.5,
    "N3": 0.6,
    "N4": 0.35,
}


def _officer():
    return User.objects.filter(email="officer@partnercity.local").first()


def _user(name: str) -> User | None:
    return User.objects.filter(email=f"{name}@partnercity.local").first()


def _open_ideas(process: Process, officer: User) -> None:
    with travel_to(process.ideas_opens_at):
        services.process_transition(actor=officer, process=process, to=Process.State.IDEAS)


def _idea(process: Process, proposer: User, title, district, description, resource=None):
    return services.project_submit(
        user=proposer,
        process=process,
        title=title,
        description=description,
        district=district,
        resource=resource,
    )


def _seed_voting(now) -> None:
    if Process.objects.filter(title=VOTING_TITLE).exists():
        return
    officer = _officer()
    rita, nico = _user("resident"), _user("resident2")
    process = Process(
        title=VOTING_TITLE,
        description=(
            "The city sets aside 300,000 EUR for small green and street projects proposed by "
            "residents. Choose the projects you want, up to the total budget. Vote online here "
            "or in person at a voting session in your district."
        ),
        budget=300000,
        ideas_opens_at=now - dt.timedelta(days=60),
        ideas_closes_at=now - dt.timedelta(days=30),
        voting_opens_at=now - dt.timedelta(days=3),
        voting_closes_at=now + dt.timedelta(days=30),
        min_age=16,
        ballot_rule=Process.BallotRule.KNAPSACK,
        result_rule=Process.ResultRule.MES,
        mes_completion=Process.Completion.GREEDY,
        tie_breaking=Process.TieBreaking.LEXICOGRAPHIC,
        min_vote_share=10,  # approved by at least 10% of the voters to be funded
        live_results=Process.LiveResults.TURNOUT,
    )
    with travel_to(now - dt.timedelta(days=70)):
        services.process_save(actor=officer, process=process)
    _open_ideas(process, officer)
    resources = {r.name: r for r in UrbanResource.objects.all()}
    ideas = []
    for n, (title, district, cost, description) in enumerate(VOTING_PROJECTS):
        with travel_to(process.ideas_opens_at + dt.timedelta(days=2 + 3 * n, hours=5)):
            resource = next((r for name, r in resources.items() if name in title), None)
            proposer = rita if district == "Centro" else nico
            ideas.append((_idea(process, proposer, title, district, description, resource), cost))
    title, _district, reason = NOT_FEASIBLE
    with travel_to(process.ideas_opens_at + dt.timedelta(days=26)):
        free_trams = _idea(process, nico, title, "", "Make every tram and bus free of charge.")
    with travel_to(process.ideas_closes_at):
        services.process_transition(actor=None, process=process, to=Process.State.REVIEW)
    with travel_to(now - dt.timedelta(days=10)):
        for project, cost in ideas:
            services.project_review(
                actor=officer, project=project, feasible=True, cost=cost, reason=""
            )
        services.project_review(
            actor=officer, project=free_trams, feasible=False, cost=None, reason=reason
        )
    with travel_to(process.voting_opens_at):
        services.process_transition(actor=officer, process=process, to=Process.State.VOTING)


def _demo_census(rng: random.Random) -> list[CensusRecord]:
    """Synthetic residents who voted in the finished process (no documents)."""
    rows = []
    for i in range(240):
        district = "Centro" if i % 2 == 0 else "Navile"
        birth = dt.date(rng.randint(1940, 2008), rng.randint(1, 12), rng.randint(1, 28))
        rows.append((f"DEMO{i:05d}", birth, district))
    census_import(
        data="document_id,birth_date,district\n"
        + "".join(f"{d},{b.isoformat()},{di}\n" for d, b, di in rows)
    )
    hashes = [identity_hash(d, b) for d, b, _di in rows]
    records = {r.identity_hash: r for r in CensusRecord.objects.filter(identity_hash__in=hashes)}
    return [records[h] for h in hashes]


def _online_voter(n: int, record: CensusRecord) -> User:
    """The account of a synthetic resident who votes online (no password: it cannot log in)."""
    email = f"voter{n:03d}@voters.partnercity.local"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=None, display_name=f"Demo voter {n:03d}"
        )
        user.census_record = record
        user.verified_at = timezone.now()
        user.save(update_fields=["census_record", "verified_at"])
    return user


def _cast(process: Process, n: int, record: CensusRecord, channel: str, chosen) -> None:
    ids = [p.pk for p in chosen]
    key = f"demo-2025-{n}"
    if channel == Channel.ONLINE:
        voter = _online_voter(n, record)
        services.ballot_cast(user=voter, process=process, project_ids=ids, idempotency_key=key)
        return
    services.participation_register(process=process, census_record=record, channel=channel)
    services.ballot_store(
        process=process,
        channel=channel,
        project_ids=ids,
        idempotency_key=key,
        district=record.district,
    )


def _seed_finished(now) -> None:
    if Process.objects.filter(title=FINISHED_TITLE).exists():
        return
    rng = random.Random(2025)  # noqa: S311 - demo data, reproducible on purpose
    officer = _officer()
    rita, nico = _user("resident"), _user("resident2")
    process = Process(
        title=FINISHED_TITLE,
        description=(
            "Each district decided how to spend its own 150,000 EUR. Results were counted "
            "with the Method of Equal Shares, so that every group of voters gets projects "
            "in proportion to its size."
        ),
        budget=300000,
        ideas_opens_at=now - dt.timedelta(days=400),
        ideas_closes_at=now - dt.timedelta(days=360),
        voting_opens_at=now - dt.timedelta(days=330),
        voting_closes_at=now - dt.timedelta(days=300),
        results_planned_at=now - dt.timedelta(days=290),
        min_age=16,
        ballot_rule=Process.BallotRule.KNAPSACK,
        result_rule=Process.ResultRule.MES,
        mes_completion=Process.Completion.GREEDY,
        tie_breaking=Process.TieBreaking.EQUALSHARES,
        live_results=Process.LiveResults.FULL,
    )
    with travel_to(now - dt.timedelta(days=410)):
        services.process_save(
            actor=officer, process=process, envelopes=[("Centro", 150000), ("Navile", 150000)]
        )
    _open_ideas(process, officer)
    projects = {}
    for n, (code, title, district, _cost) in enumerate(FINISHED_PROJECTS):
        with travel_to(process.ideas_opens_at + dt.timedelta(days=1 + 4 * n, hours=3)):
            proposer = rita if district == "Centro" else nico
            projects[code] = _idea(process, proposer, title, district, f"{title}.")
    with travel_to(process.ideas_closes_at):
        services.process_transition(actor=None, process=process, to=Process.State.REVIEW)
    for n, (code, _title, _district, cost) in enumerate(FINISHED_PROJECTS):
        with travel_to(process.ideas_closes_at + dt.timedelta(days=2 + n, hours=4)):
            services.project_review(
                actor=officer, project=projects[code], feasible=True, cost=cost, reason=""
            )
            projects[code].refresh_from_db()
    with travel_to(process.voting_opens_at - dt.timedelta(days=1)):
        services.lots_draw(actor=officer, process=process)
    with travel_to(process.voting_opens_at):
        services.process_transition(actor=officer, process=process, to=Process.State.VOTING)
    process.refresh_from_db()
    channels = [Channel.ONLINE] * 6 + [Channel.IN_PERSON] * 3 + [Channel.PAPER]
    with travel_to(process.voting_opens_at - dt.timedelta(days=7)):  # the electoral roll
        census = _demo_census(rng)
    for n, record in enumerate(census[:180]):
        district = record.district
        envelope = 150000
        wanted = [c for c in POPULARITY if c[0] == district[0] and rng.random() < POPULARITY[c]]
        chosen, total = [], 0
        for code in wanted:
            if total + projects[code].cost <= envelope:
                chosen.append(projects[code])
                total += projects[code].cost
        if not chosen:
            chosen = [projects[district[0] + "2"]]
        with travel_to(process.voting_opens_at + dt.timedelta(hours=n + 1)):
            _cast(process, n, record, channels[n % len(channels)], chosen)
    with travel_to(process.voting_closes_at):
        services.process_transition(actor=None, process=process, to=Process.State.COUNTING)
    with travel_to(process.voting_closes_at + dt.timedelta(days=3)):
        services.result_compute(actor=officer, process=process)
    with travel_to(process.results_planned_at):
        services.result_publish(actor=officer, process=process)


def seed(stdout) -> None:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        _seed_voting(now)
        _seed_finished(now)


def describe() -> str:
    processes = Process.objects.filter(title__in=[VOTING_TITLE, FINISHED_TITLE])
    lines = ["Participatory budgeting:"] + [
        f"  /budgeting/{p.pk}/  {p.title} ({p.get_state_display()})" for p in processes
    ]
    return "\n".join(lines)
