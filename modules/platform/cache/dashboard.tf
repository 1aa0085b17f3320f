# Dashboard widgets of the cache (output dashboard_widgets), one line per member cluster.

locals {
  dashboard_widgets = [
    {
      title = "${var.name}: engine CPU and memory (%)"
      metrics = concat(
        [for id in local.cache_ids : ["AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", id, { stat = "Average", label = "CPU ${id}" }]],
        [for id in local.cache_ids : ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", id, { stat = "Average", label = "memory ${id}" }]],
      )
    },
    {
      title   = "${var.name}: evictions"
      metrics = [for id in local.cache_ids : ["AWS/ElastiCache", "Evictions", "CacheClusterId", id, { stat = "Sum", label = id }]]
    },
    {
      title = "${var.name}: command latency, SLO ${local.alarm_thresholds["latency"]} us"
      metrics = concat(
        [for id in local.cache_ids : ["AWS/ElastiCache", "GetTypeCmdsLatency", "CacheClusterId", id, { stat = "Average", label = "reads ${id}" }]],
        [for id in local.cache_ids : ["AWS/ElastiCache", "SetTypeCmdsLatency", "CacheClusterId", id, { stat = "Average", label = "writes ${id}" }]],
      )
    },
  ]
}
