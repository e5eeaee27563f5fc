"""Live hybrid voting: in-person sessions, tablets, check-in, one-time ballot tokens, live push.

A nested app of ``budgeting`` (label ``pb_live``). It stores no ballots of its own: check-ins
and casting go through budgeting's eligibility check, validator and casting services.
"""
