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
    healthy_targets   = { threshold = 1, min = 1, max = 1000, unit = "healthy targets (alarm below)" }
    missing_tasks     = { threshold = 0, min = 0, max = 1000, unit = "tasks below desired" }
    cpu               = { threshold = 80, min = 1, max = 100, unit = "% CPU" }
    memory            = { threshold = 85, min = 1, max = 100, unit = "% memory" }
    # kind = "job" (job.tf)
    failed_invocations = { threshold = 0, min = 0, max = 1000, unit = "runs Scheduler gave up on" }
    never_started      = { threshold = 0, min = 0, max = 1000, unit = "runs whose task failed to start" }
    failed_runs        = { threshold = 0, min = 0, max = 1000, unit = "runs that exited non-zero" }
    overrun            = { threshold = 0, min = 0, max = 0, unit = "task metric samples per minute after the timeout" }
  }

  # ALB metrics are per (LoadBalancer, TargetGroup): one alarm set for the external load balancer
  # when the service is exposed. Calls from other services go through Service Connect, not a load
  # balancer: every service also gets the same 5xx and latency alarms from the metrics ECS
  # publishes for Service Connect (connect_alarms below). ARN suffixes: app/<lb>/<id> from the
  # listener ARN, targetgroup/<tg>/<id> of the external target group.
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
      # The load balancer answers 503 itself when the target group has no healthy target (every
      # task failing its health check, or none running): HTTPCode_Target_5XX_Count never sees
      # those. HealthyHostCount is published per (LoadBalancer, TargetGroup) every minute.
      "${var.name}-healthy-targets-${lb}" = {
        key                = "healthy_targets"
        description        = "Healthy targets of ${var.name} behind the ${lb} load balancer (count, minimum, 3 x 1 min); below the threshold the load balancer answers 503 itself."
        comparison         = "LessThanThreshold"
        evaluation_periods = 3
        period             = 60
        treat_missing_data = "missing"
        namespace          = "AWS/ApplicationELB"
        metric             = "HealthyHostCount"
        statistic          = "Minimum"
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

  # ECS Service Connect metrics (namespace AWS/ECS), as the callers' proxies see this service:
  # HTTPCode_Target_5XX_Count, RequestCount and TargetResponseTime are published per
  # TargetDiscoveryName (the discovery name of the called service, here the service name; with
  # ServiceName added, ServiceName is the *calling* service, so the per-target total is
  # TargetDiscoveryName alone). TargetResponseTime is in milliseconds there (seconds on an ALB),
  # hence the / 1000: p99_latency has one unit for both sources. No request, no data: missing data
  # is healthy (notBreaching). Amazon ECS CloudWatch metrics, Service Connect metrics:
  # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html
  # A worker serves no HTTP, so nothing publishes these: no connect alarms (nor ALB ones, as it has
  # no external load balancer); its CPU and memory alarms stay.
  connect_dimensions = { TargetDiscoveryName = var.name }
  connect_alarms     = { for name, alarm in local.connect_alarm_set : name => alarm if local.serves_http }
  connect_alarm_set = {
    "${var.name}-5xx-rate-connect" = {
      key                = "http_5xx_rate"
      description        = "Share of Service Connect requests from other services that ${var.name}'s tasks answer with 5xx (% of requests, 3 x 5 min)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 3
      period             = 300
      treat_missing_data = "notBreaching"
      namespace          = null
      metric             = null
      statistic          = null
      dimensions         = null
      queries = [
        { id = "errors", expression = null, label = "5xx", namespace = "AWS/ECS", metric = "HTTPCode_Target_5XX_Count", statistic = "Sum", dimensions = local.connect_dimensions },
        { id = "requests", expression = null, label = "requests", namespace = "AWS/ECS", metric = "RequestCount", statistic = "Sum", dimensions = local.connect_dimensions },
        { id = "rate", expression = "IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)", label = "5xx %", namespace = null, metric = null, statistic = null, dimensions = null },
      ]
    }
    "${var.name}-p99-latency-connect" = {
      key                = "p99_latency"
      description        = "p99 response time of ${var.name} to Service Connect requests from other services (seconds, 3 x 5 min)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 3
      period             = 300
      treat_missing_data = "notBreaching"
      namespace          = null
      metric             = null
      statistic          = null
      dimensions         = null
      queries = [
        { id = "latency_ms", expression = null, label = "p99 (ms)", namespace = "AWS/ECS", metric = "TargetResponseTime", statistic = "p99", dimensions = local.connect_dimensions },
        { id = "latency", expression = "latency_ms / 1000", label = "p99 (s)", namespace = null, metric = null, statistic = null, dimensions = null },
      ]
    }
  }

  # Desired minus running tasks exists only with Container Insights (ECS/ContainerInsights), so
  # the alarm is created only where the account says the cluster has it (var.container_insights,
  # checked against the cluster by data.aws_ecs_cluster.insights). Missing data is not a page:
  # the deployment alarms and the circuit breaker judge deployments, this alarm judges capacity.
  # A job has no ECS service, so no service metrics: its alarms are in job.tf.
  ecs_alarms = { for name, alarm in local.ecs_alarm_set : name => alarm if !local.job }
  ecs_alarm_set = merge(var.container_insights ? {
    "${var.name}-missing-tasks" = {
      key                = "missing_tasks"
      description        = "Running tasks of ${var.name} below the desired count (tasks, 3 x 5 min; Container Insights)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 3
      period             = 300
      treat_missing_data = "notBreaching"
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
    } : {}, {
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
  })

  alarms = merge(local.alb_alarms, local.connect_alarms, local.ecs_alarms, local.job_alarms)

  # A deployment whose new tasks push these into ALARM is rolled back by ECS (the alarms block
  # of the ECS service). Names only, so the ECS service does not wait for the alarms. Every
  # service has the Service Connect pair, so the list depends on silencing only: silencing both
  # keys is refused (output deployment_alarm_names, and `infragen validate` at the spec line),
  # because aws/ecs-service cannot drop an alarms block it once had (UpdateService "missing
  # required field AlarmNames").
  deployment_alarm_keys  = ["http_5xx_rate", "p99_latency"]
  deployment_alarm_names = sort([for name, a in local.alarms : name if contains(local.deployment_alarm_keys, a.key) && !local.alarm_silenced[a.key]])
}

# The account says the cluster has Container Insights (account.yaml ecs.containerInsights): check
# it, or the missing-tasks alarm would watch metrics nobody publishes.
data "aws_ecs_cluster" "insights" {
  count        = var.container_insights ? 1 : 0
  cluster_name = local.ecs_dimensions.ClusterName

  lifecycle {
    postcondition {
      condition     = anytrue([for s in self.setting : s.name == "containerInsights" && contains(["enabled", "enhanced"], s.value)])
      error_message = "container_insights is true, but the cluster ${local.ecs_dimensions.ClusterName} does not have Container Insights enabled (setting containerInsights): enable it on the cluster or set ecs.containerInsights: false in the account file."
    }
  }
}
