"""Demo processes: one in voting (Centro and Navile projects), one finished with results.

Idempotent: processes are found by title and left alone once they exist.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from budgeting import results
from budgeting.models import (
    Ballot,
    BallotSelection,
    Channel,
    DistrictBudget,
    Participation,
    Process,
    Project,
)
from citizens.census import census_import, identity_hash
from citizens.models import CensusRecord, User
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


def _seed_voting(now) -> None:
    if Process.objects.filter(title=VOTING_TITLE).exists():
        return
    process = Process.objects.create(
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
        created_by=_officer(),
    )
    resources = {r.name: r for r in UrbanResource.objects.all()}
    for title, district, cost, description in VOTING_PROJECTS:
        Project.objects.create(
            resource=next((r for name, r in resources.items() if name in title), None),
            process=process,
            title=title,
            district=district,
            cost=cost,
            estimated_cost=cost,
            description=description,
            state=Project.State.FEASIBLE,
            reviewed_at=now - dt.timedelta(days=10),
            proposer=User.objects.filter(email="resident@partnercity.local").first()
            if district == "Centro"
            else User.objects.filter(email="resident2@partnercity.local").first(),
        )
    title, district, reason = NOT_FEASIBLE
    Project.objects.create(
        process=process,
        title=title,
        district=district,
        description="Make every tram and bus free of charge.",
        state=Project.State.NOT_FEASIBLE,
        feasibility_reason=reason,
    )
    process.state = Process.State.VOTING
    process.save(update_fields=["state"])


def _demo_census(rng: random.Random) -> list[CensusRecord]:
    """Synthetic residents who voted in the finished process (no accounts, no documents)."""
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


def _seed_finished(now) -> None:
    if Process.objects.filter(title=FINISHED_TITLE).exists():
        return
    rng = random.Random(2025)  # noqa: S311 - demo data, reproducible on purpose
    process = Process.objects.create(
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
        lots_drawn_at=now - dt.timedelta(days=331),
        live_results=Process.LiveResults.FULL,
        created_by=_officer(),
    )
    DistrictBudget.objects.bulk_create(
        [
            DistrictBudget(process=process, district="Centro", budget=150000),
            DistrictBudget(process=process, district="Navile", budget=150000),
        ]
    )
    projects = {}
    for position, (code, title, district, cost) in enumerate(FINISHED_PROJECTS, start=1):
        projects[code] = Project.objects.create(
            process=process,
            code=code,
            title=title,
            district=district,
            cost=cost,
            state=Project.State.FEASIBLE,
            lot_position=position,
            description=f"{title}.",
        )
    channels = [Channel.ONLINE] * 6 + [Channel.IN_PERSON] * 3 + [Channel.PAPER]
    for n, record in enumerate(_demo_census(rng)[:180]):
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
        channel = channels[n % len(channels)]
        ballot = Ballot.objects.create(
            process=process,
            channel=channel,
            district=district,
            idempotency_key=f"demo-2025-{n}",
            created_at=process.voting_opens_at + dt.timedelta(hours=n),
        )
        BallotSelection.objects.bulk_create(
            [BallotSelection(ballot=ballot, project=p) for p in chosen]
        )
        Participation.objects.create(
            process=process,
            census_record=record,
            channel=channel,
            district=district,
            birth_year=record.birth_year,
            ballot=ballot if channel == Channel.ONLINE else None,
        )
    process.state = Process.State.COUNTING
    process.save(update_fields=["state"])
    stored = results.results_store(process=process, actor=_officer())
    for result in stored:
        result.published_at = process.results_planned_at
        result.published_by = _officer()
        result.save(update_fields=["published_at", "published_by"])
    process.state = Process.State.RESULTS
    process.save(update_fields=["state"])


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
