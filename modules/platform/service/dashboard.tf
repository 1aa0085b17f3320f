# Dashboard widgets of the service (output dashboard_widgets); platform/dashboard lays them out
# with the widgets of the service's datastores. Same dimensions as the alarms.

locals {
  alb_widget_metrics = {
    requests = [for lb, d in local.load_balancers : ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", d.load_balancer, "TargetGroup", d.target_group, { stat = "Sum", label = "requests (${lb})" }]]
    errors   = [for lb, d in local.load_balancers : ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", d.load_balancer, "TargetGroup", d.target_group, { stat = "Sum", label = "5xx (${lb})" }]]
    latency  = [for lb, d in local.load_balancers : ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", d.load_balancer, "TargetGroup", d.target_group, { stat = "p99", label = "p99 (${lb})" }]]
    hosts = concat(
      [for lb, d in local.load_balancers : ["AWS/ApplicationELB", "HealthyHostCount", "LoadBalancer", d.load_balancer, "TargetGroup", d.target_group, { stat = "Minimum", label = "healthy (${lb})" }]],
      [for lb, d in local.load_balancers : ["AWS/ApplicationELB", "UnHealthyHostCount", "LoadBalancer", d.load_balancer, "TargetGroup", d.target_group, { stat = "Maximum", label = "unhealthy (${lb})" }]],
    )
  }

  # Load balancer widgets only when the service is exposed (an empty widget shows nothing).
  alb_widgets = length(local.load_balancers) == 0 ? [] : [
    { title = "${var.name}: requests", metrics = local.alb_widget_metrics.requests },
    { title = "${var.name}: 5xx answers", metrics = local.alb_widget_metrics.errors },
    { title = "${var.name}: p99 response time (s)", metrics = local.alb_widget_metrics.latency },
    { title = "${var.name}: targets", metrics = local.alb_widget_metrics.hosts },
  ]

  # A worker or job serves no HTTP: no Service Connect requests to show.
  connect_widgets = !local.serves_http ? [] : [
    {
      title = "${var.name}: Service Connect requests and 5xx"
      metrics = [
        ["AWS/ECS", "RequestCount", "TargetDiscoveryName", local.connect_dimensions.TargetDiscoveryName, { stat = "Sum", label = "requests" }],
        ["AWS/ECS", "HTTPCode_Target_5XX_Count", "TargetDiscoveryName", local.connect_dimensions.TargetDiscoveryName, { stat = "Sum", label = "5xx" }],
      ]
    },
  ]

  # As JSON text: the two widget lists differ in shape, which one conditional cannot hold.
  dashboard_widgets = local.job ? [for w in local.job_widgets : jsonencode(w)] : [for w in local.service_widgets : jsonencode(w)]

  service_widgets = concat(local.alb_widgets, [
    {
      title = "${var.name}: CPU and memory (%)"
      metrics = [
        ["AWS/ECS", "CPUUtilization", "ClusterName", local.ecs_dimensions.ClusterName, "ServiceName", local.ecs_dimensions.ServiceName, { stat = "Average", label = "CPU" }],
        ["AWS/ECS", "MemoryUtilization", "ClusterName", local.ecs_dimensions.ClusterName, "ServiceName", local.ecs_dimensions.ServiceName, { stat = "Average", label = "memory" }],
      ]
    },
    ], local.connect_widgets, [
    {
      title = "${var.name}: tasks"
      # Without Container Insights the running count is the SampleCount of the service's
      # CPUUtilization at a 1-minute period (Amazon ECS CloudWatch metrics, "Service RUNNING task
      # count": https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch-metrics.html).
      metrics = var.container_insights ? [
        ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", local.ecs_dimensions.ClusterName, "ServiceName", local.ecs_dimensions.ServiceName, { stat = "Average", label = "running" }],
        ["ECS/ContainerInsights", "DesiredTaskCount", "ClusterName", local.ecs_dimensions.ClusterName, "ServiceName", local.ecs_dimensions.ServiceName, { stat = "Average", label = "desired" }],
        ] : [
        ["AWS/ECS", "CPUUtilization", "ClusterName", local.ecs_dimensions.ClusterName, "ServiceName", local.ecs_dimensions.ServiceName, { stat = "SampleCount", period = 60, label = "running" }],
      ]
    },
  ])
}
