"""Participatory budgeting: processes, projects, participations, ballots and results."""

from budgeting.models.process import DistrictBudget, Process
from budgeting.models.project import Project
from budgeting.models.result import Result, ResultLine
from budgeting.models.voting import Ballot, BallotSelection, Channel, Participation

__all__ = [
    "Ballot",
    "BallotSelection",
    "Channel",
    "DistrictBudget",
    "Participation",
    "Process",
    "Project",
    "Result",
    "ResultLine",
]
