# kind = "job": what tells the owner team that a scheduled run went wrong. EventBridge Scheduler
# publishes per schedule group (the job's own, aws/ecs-service) the invocations it gave up on
# after the retries (InvocationDroppedCount: RunTask failed, e.g. capacity or a missing
# permission). A run whose task was created but never started (image pull, secrets: ECS stopCode
# TaskFailedToStart) and a run whose container exited non-zero (EssentialContainerExited with an
# exit code other than 0) are ECS task state changes; one EventBridge rule each counts them
# (AWS/Events MatchedEvents per RuleName) and an alarm pages on the first. The rules have no
# target: the alarms route like every alarm (alarm_topic_arn, the owner team's topic).
# Scheduler metrics: https://docs.aws.amazon.com/scheduler/latest/UserGuide/monitoring-cloudwatch.html
# ECS task state change events: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html
# EventBridge metrics: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html

locals {
  # Tasks started by Scheduler (or `infragen run`) without a service are in group family:<name>.
  job_task_filter = {
    clusterArn = [var.cluster_arn]
    group      = ["family:${var.name}"]
    lastStatus = ["STOPPED"]
  }
  # Patterns as JSON text: the two detail objects differ in shape, which one map cannot hold.
  job_rule_set = {
    never-started = {
      description = "Runs of the job ${var.name} whose task failed to start (stopCode TaskFailedToStart)."
      detail      = jsonencode(merge(local.job_task_filter, { stopCode = ["TaskFailedToStart"] }))
    }
    failed-runs = {
      description = "Runs of the job ${var.name} whose container exited non-zero."
      detail      = jsonencode(merge(local.job_task_filter, { stopCode = ["EssentialContainerExited"], containers = { exitCode = [{ anything-but = 0 }] } }))
    }
  }
  job_rules = { for rule, r in local.job_rule_set : rule => r if local.job }

  job_event_alarms = {
    for rule, r in local.job_rules : "${var.name}-${rule}" => {
      key                = replace(rule, "-", "_")
      description        = "${r.description} (count, 1 x 5 min)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 1
      period             = 300
      treat_missing_data = "notBreaching"
      namespace          = "AWS/Events"
      metric             = "MatchedEvents"
      statistic          = "Sum"
      dimensions         = { RuleName = aws_cloudwatch_event_rule.job[rule].name }
      queries            = local.no_query
    }
  }

  timeout_seconds = try(var.schedule.timeout_seconds, null)
  # A run still going after the timeout: the job's tasks (ECS/ContainerInsights per
  # TaskDefinitionFamily) report CPU every minute of every one of the last timeout minutes. ECS
  # has no run time limit, so this pages; it does not stop the task.
  job_overrun_alarms = local.job && local.timeout_seconds != null ? {
    "${var.name}-overrun" = {
      key                = "overrun"
      description        = "A run of the job ${var.name} still running after its timeout of ${local.timeout_seconds} s (task CPU samples in each of ${ceil(local.timeout_seconds / 60)} x 1 min; Container Insights)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = ceil(local.timeout_seconds / 60)
      period             = 60
      treat_missing_data = "notBreaching"
      namespace          = "ECS/ContainerInsights"
      metric             = "CpuUtilized"
      statistic          = "SampleCount"
      dimensions         = { ClusterName = local.ecs_dimensions.ClusterName, TaskDefinitionFamily = var.name }
      queries            = local.no_query
    }
  } : {}

  job_alarms = { for name, alarm in local.job_alarm_set : name => alarm if local.job }
  job_alarm_set = merge(local.job_event_alarms, local.job_overrun_alarms, {
    "${var.name}-failed-invocations" = {
      key                = "failed_invocations"
      description        = "Scheduled runs of the job ${var.name} that Scheduler gave up on after its retries: RunTask failed (count, 1 x 5 min)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 1
      period             = 300
      treat_missing_data = "notBreaching"
      namespace          = "AWS/Scheduler"
      metric             = "InvocationDroppedCount"
      statistic          = "Sum"
      dimensions         = { ScheduleGroup = module.ecs_service.schedule_group_name }
      queries            = local.no_query
    }
  })

  job_widgets = [
    {
      title = "${var.name}: scheduled runs"
      metrics = [
        ["AWS/Scheduler", "InvocationAttemptCount", "ScheduleGroup", var.name, { stat = "Sum", label = "RunTask attempts" }],
        ["AWS/Scheduler", "TargetErrorCount", "ScheduleGroup", var.name, { stat = "Sum", label = "RunTask errors" }],
        ["AWS/Scheduler", "InvocationDroppedCount", "ScheduleGroup", var.name, { stat = "Sum", label = "given up" }],
      ]
    },
    {
      title   = "${var.name}: failed runs"
      metrics = [for rule, r in local.job_rules : ["AWS/Events", "MatchedEvents", "RuleName", "${var.name}-${rule}", { stat = "Sum", label = rule }]]
    },
  ]
}

resource "aws_cloudwatch_event_rule" "job" {
  for_each = local.job_rules

  name        = "${var.name}-${each.key}"
  description = each.value.description
  event_pattern = jsonencode({
    source        = ["aws.ecs"]
    "detail-type" = ["ECS Task State Change"]
    detail        = jsondecode(each.value.detail)
  })

  tags = local.tags
}
