"""The dynamic half: compile, deploy, rollback, status, verify and the service commands.

``compile`` (:mod:`.taskdef`) is pure; everything else talks to AWS through :mod:`.aws`.
"""
