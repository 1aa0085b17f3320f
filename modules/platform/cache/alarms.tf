# Alarms of a cache, one set per node (ElastiCache publishes per CacheClusterId: the replication
# group's members <name>-001, -002, ...). Thresholds are platform defaults (local.alarm_defaults);
# a service overrides or silences one per environment (overrides.alarms.<datastore>), with a
# reason. Resources: alarm_resources.tf.

locals {
  alarm_defaults = {
    cpu       = { threshold = 80, min = 1, max = 100, unit = "% engine CPU" }
    memory    = { threshold = 80, min = 1, max = 100, unit = "% of max memory" }
    evictions = { threshold = 100, min = 0, max = 10000000, unit = "evicted keys per 5 min" }
    # The cache's SLO: reads and writes answered in under 1 ms on average (ElastiCache's design
    # point is sub-millisecond latency; a cache slower than that has stopped saving its callers
    # a database round trip). Breached when a node's slower command type averages more than the
    # threshold in 5 consecutive minutes: one slow minute (a snapshot fork, a failover) is noise.
    latency = { threshold = 1000, min = 100, max = 1000000, unit = "microseconds average read or write command latency, 5 x 1 min" }
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
      # SLO: GetTypeCmdsLatency / SetTypeCmdsLatency are the node's average latency of read-only
      # and of write commands, in microseconds, from INFO commandstats; the worse of the two counts.
      # No commands, no datapoints: an idle cache meets its SLO.
      "${id}-latency" = {
        key                = "latency"
        description        = "SLO: average latency of read and of write commands on cache node ${id}, the worse of the two (microseconds, 5 x 1 min)."
        comparison         = "GreaterThanThreshold"
        evaluation_periods = 5
        period             = 60
        treat_missing_data = "notBreaching"
        namespace          = null
        metric             = null
        statistic          = null
        dimensions         = null
        queries = [
          { id = "reads", expression = null, label = "read commands (us)", namespace = "AWS/ElastiCache", metric = "GetTypeCmdsLatency", statistic = "Average", dimensions = { CacheClusterId = id } },
          { id = "writes", expression = null, label = "write commands (us)", namespace = "AWS/ElastiCache", metric = "SetTypeCmdsLatency", statistic = "Average", dimensions = { CacheClusterId = id } },
          { id = "worse", expression = "MAX([FILL(reads, 0), FILL(writes, 0)])", label = "worse of reads and writes (us)", namespace = null, metric = null, statistic = null, dimensions = null },
        ]
      }
    }
  ]...)
}
