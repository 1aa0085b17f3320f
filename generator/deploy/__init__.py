"""The dynamic half: compile, deploy, rollback, status, verify and the service commands.

``compile`` prints the plan's task definition (:mod:`generator.plan.taskdef`, pure); everything else talks to AWS through :mod:`.aws`.
"""
