"""Cohorts: one plan, a board per team, one weekly overview (docs/cohort.md).

:mod:`.model` and :mod:`.cohortfile` are the cohort file; :mod:`.apply` makes the boards;
:mod:`.report` pulls them and builds each team's report; :mod:`.overview` turns the reports into
the overview (pure); :mod:`.delivery` emails them.
"""
