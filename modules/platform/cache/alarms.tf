# Alarms of a cache, one set per node (ElastiCache publishes per CacheClusterId: the replication
# group's members <name>-001, -002, ...). Thresholds are platform defaults (local.alarm_defaults);
# a service overrides or silences one per environment (overrides.alarms.<datastore>), with a
# reason. Resources: alarm_resources.tf.

locals {
  alarm_defaults = {
    cpu       = { threshold = 80, min = 1, max = 100, unit = "% engine CPU" }
    memory    = { threshold = 80, min = 1, max = 100, unit = "% of max memory" }
    evictions = { threshold = 100, min = 0, max = 10000000, unit = "evicted keys per 5 min" }
  }

  no_query  = null
  cache_ids = [for i in range(local.num_cache_nodes) : format("%s-%03d", module.elasticache.id, i + 1)]

  alarms = merge([
    for id in local.cache_ids : {
      "${id}-cpu" = {
        key                = "cpu"
        description        = "Engine CPU utilisation of cache node ${id} (%, 3 x 5 min)."
        comparison         = "GreaterThanThreshold"
        evaluation_periods = 3
        period             = 300
        treat_missing_data = "missing"
        namespace          = "AWS/ElastiCache"
        metric             = "EngineCPUUtilization"
        statistic          = "Average"
        dimensions         = { CacheClusterId = id }
        queries            = local.no_query
      }
      "${id}-memory" = {
        key                = "memory"
        description        = "Memory used by cache node ${id} (% of maxmemory, 3 x 5 min)."
        comparison         = "GreaterThanThreshold"
        evaluation_periods = 3
        period             = 300
        treat_missing_data = "missing"
        namespace          = "AWS/ElastiCache"
        metric             = "DatabaseMemoryUsagePercentage"
        statistic          = "Average"
        dimensions         = { CacheClusterId = id }
        queries            = local.no_query
      }
      "${id}-evictions" = {
        key                = "evictions"
        description        = "Keys evicted from cache node ${id} for lack of memory (count per 5 min)."
        comparison         = "GreaterThanThreshold"
        evaluation_periods = 1
        period             = 300
        treat_missing_data = "notBreaching"
        namespace          = "AWS/ElastiCache"
        metric             = "Evictions"
        statistic          = "Sum"
        dimensions         = { CacheClusterId = id }
        queries            = local.no_query
      }
    }
  ]...)
}
