# Alarms of a service. Thresholds are platform defaults (local.alarm_defaults): change one here
# and every service gets it with its next plan. A service overrides or silences one per
# environment in its environment file (overrides.alarms.service), with a reason.
# The resources are in alarm_resources.tf (linked from ../_alarms).

locals {
  # threshold: the default; min/max: what an override may set. Units are in each description.
  alarm_defaults = {
    http_5xx_rate     = { threshold = 5, min = 0.1, max = 100, unit = "% of requests" }
    p99_latency       = { threshold = 1, min = 0.01, max = 60, unit = "seconds" }
    unhealthy_targets = { threshold = 0, min = 0, max = 1000, unit = "targets" }
    missing_tasks     = { threshold = 0, min = 0, max = 1000, unit = "tasks below desired" }
    cpu               = { threshold = 80, min = 1, max = 100, unit = "% CPU" }
    memory            = { threshold = 85, min = 1, max = 100, unit = "% memory" }
  }

  # ALB metrics are per (LoadBalancer, TargetGroup): one alarm set for the external load balancer
  # when the service is exposed. Calls from other services go through Service Connect, not a load
  # balancer, so an internal-only service has the ECS alarms only (docs/design.md). ARN suffixes:
  # app/<lb>/<id> from the listener ARN, targetgroup/<tg>/<id> of the external target group.
  load_balancers = var.external == null ? {} : {
    external = { load_balancer = local.lb_suffix_external, target_group = local.target_group_suffixes["external"] }
  }
  lb_suffix_external = var.external == null ? null : join("/", slice(split("/", split(":", var.external.listener_arn)[5]), 1, 4))
  # One target group per load balancer (aws/ecs-service target_group_arns: external).
  target_group_suffixes = { for lb, arn in module.ecs_service.target_group_arns : lb => split(":", arn)[5] }
  ecs_dimensions        = { ClusterName = split("/", split(":", var.cluster_arn)[5])[1], ServiceName = var.name }

  no_query = null

  alb_alarms = merge([
    for lb, d in local.load_balancers : {
      "${var.name}-5xx-rate-${lb}" = {
        key                = "http_5xx_rate"
        description        = "Share of requests through the ${lb} load balancer that ${var.name}'s tasks answer with 5xx (% of requests, 3 x 5 min)."
        comparison         = "GreaterThanThreshold"
        evaluation_periods = 3
        period             = 300
        treat_missing_data = "notBreaching"
        namespace          = null
        metric             = null
        statistic          = null
        dimensions         = null
        queries = [
          { id = "errors", expression = null, label = "5xx", namespace = "AWS/ApplicationELB", metric = "HTTPCode_Target_5XX_Count", statistic = "Sum", dimensions = { LoadBalancer = d.load_balancer, TargetGroup = d.target_group } },
          { id = "requests", expression = null, label = "requests", namespace = "AWS/ApplicationELB", metric = "RequestCount", statistic = "Sum", dimensions = { LoadBalancer = d.load_balancer, TargetGroup = d.target_group } },
          { id = "rate", expression = "IF(requests > 0, 100 * errors / requests, 0)", label = "5xx %", namespace = null, metric = null, statistic = null, dimensions = null },
        ]
      }
      "${var.name}-p99-latency-${lb}" = {
        key                = "p99_latency"
        description        = "p99 target response time of ${var.name} through the ${lb} load balancer (seconds, 3 x 5 min)."
        comparison         = "GreaterThanThreshold"
        evaluation_periods = 3
        period             = 300
        treat_missing_data = "notBreaching"
        namespace          = "AWS/ApplicationELB"
        metric             = "TargetResponseTime"
        statistic          = "p99"
        dimensions         = { LoadBalancer = d.load_balancer, TargetGroup = d.target_group }
        queries            = local.no_query
      }
      "${var.name}-unhealthy-targets-${lb}" = {
        key                = "unhealthy_targets"
        description        = "Targets of ${var.name} failing the ${lb} load balancer's health check (count, 3 x 1 min)."
        comparison         = "GreaterThanThreshold"
        evaluation_periods = 3
        period             = 60
        treat_missing_data = "notBreaching"
        namespace          = "AWS/ApplicationELB"
        metric             = "UnHealthyHostCount"
        statistic          = "Maximum"
        dimensions         = { LoadBalancer = d.load_balancer, TargetGroup = d.target_group }
        queries            = local.no_query
      }
    }
  ]...)

  ecs_alarms = {
    "${var.name}-missing-tasks" = {
      key                = "missing_tasks"
      description        = "Running tasks of ${var.name} below the desired count (tasks, 3 x 5 min; needs Container Insights on the cluster)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 3
      period             = 300
      treat_missing_data = "breaching"
      namespace          = null
      metric             = null
      statistic          = null
      dimensions         = null
      queries = [
        { id = "desired", expression = null, label = "desired", namespace = "ECS/ContainerInsights", metric = "DesiredTaskCount", statistic = "Average", dimensions = local.ecs_dimensions },
        { id = "running", expression = null, label = "running", namespace = "ECS/ContainerInsights", metric = "RunningTaskCount", statistic = "Average", dimensions = local.ecs_dimensions },
        { id = "missing", expression = "desired - running", label = "missing tasks", namespace = null, metric = null, statistic = null, dimensions = null },
      ]
    }
    "${var.name}-cpu" = {
      key                = "cpu"
      description        = "Average CPU utilisation of ${var.name}'s tasks (% of the task CPU, 3 x 5 min)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 3
      period             = 300
      treat_missing_data = "missing"
      namespace          = "AWS/ECS"
      metric             = "CPUUtilization"
      statistic          = "Average"
      dimensions         = local.ecs_dimensions
      queries            = local.no_query
    }
    "${var.name}-memory" = {
      key                = "memory"
      description        = "Average memory utilisation of ${var.name}'s tasks (% of the task memory, 3 x 5 min)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 3
      period             = 300
      treat_missing_data = "missing"
      namespace          = "AWS/ECS"
      metric             = "MemoryUtilization"
      statistic          = "Average"
      dimensions         = local.ecs_dimensions
      queries            = local.no_query
    }
  }

  alarms = merge(local.alb_alarms, local.ecs_alarms)

  # A deployment whose new tasks push these into ALARM is rolled back by ECS (the alarms block
  # of the ECS service). Names only, so the ECS service does not wait for the alarms.
  # Without a load balancer (an internal-only service behind Service Connect) there is no 5xx or
  # latency alarm: the deployment then rolls back on missing tasks. The list is never empty while
  # one of these is unsilenced, because aws/ecs-service cannot drop an alarms block it once had
  # (turning external ingress off would otherwise fail UpdateService).
  deployment_alarm_keys  = ["http_5xx_rate", "p99_latency"]
  lb_deployment_alarms   = sort([for name, a in local.alarms : name if contains(local.deployment_alarm_keys, a.key) && !local.alarm_silenced[a.key]])
  ecs_deployment_alarms  = sort([for name, a in local.ecs_alarms : name if a.key == "missing_tasks" && !local.alarm_silenced[a.key]])
  deployment_alarm_names = length(local.lb_deployment_alarms) > 0 ? local.lb_deployment_alarms : local.ecs_deployment_alarms
}
