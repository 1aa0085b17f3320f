# Alarms of an Aurora cluster, on its cluster-wide metrics (DBClusterIdentifier: the worst member
# counts). Thresholds are platform defaults (local.alarm_defaults): change one here and every
# cluster gets it. A service overrides or silences one per environment in its environment file
# (overrides.alarms.<datastore>), with a reason. Resources: alarm_resources.tf. The replica-lag
# alarm exists only while the cluster has Aurora Replicas (instances > 1).

locals {
  alarm_defaults = {
    cpu             = { threshold = 80, min = 1, max = 100, unit = "% CPU" }
    freeable_memory = { threshold = 10, min = 1, max = 90, unit = "% of the instance class's memory free" }
    connections     = { threshold = 80, min = 1, max = 100, unit = "% of max_connections" }
    replica_lag     = { threshold = 1000, min = 10, max = 600000, unit = "ms of AuroraReplicaLag" }
  }

  # Aurora PostgreSQL's default max_connections is LEAST({DBInstanceClassMemory/9531392}, 5000)
  # (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Managing.html#AuroraPostgreSQL.Managing.MaxConnections);
  # DBInstanceClassMemory taken as the class memory less max(384 MiB, 5%), as platform/database
  # does, so the alarm fires early rather than never. Memory in GiB by class letter (t burstable,
  # r memory optimised, x memory optimised X2g; the classes Aurora PostgreSQL offers) and size.
  # The generator refuses an instanceClass missing here (generator/datastores/aurora.py).
  instance_memory_gib = {
    t = { medium = 4, large = 8 }
    r = { large = 16, xlarge = 32, "2xlarge" = 64, "4xlarge" = 128, "8xlarge" = 256, "12xlarge" = 384, "16xlarge" = 512, "24xlarge" = 768, "32xlarge" = 1024, "48xlarge" = 1536 }
    x = { large = 32, xlarge = 64, "2xlarge" = 128, "4xlarge" = 256, "8xlarge" = 512, "12xlarge" = 768, "16xlarge" = 1024 }
  }
  class_parts      = split(".", var.instance_class)
  class_memory_mib = try(local.instance_memory_gib[substr(local.class_parts[1], 0, 1)][local.class_parts[2]] * 1024, null)
  class_memory_bytes = local.class_memory_mib == null ? null : floor(
    (local.class_memory_mib - max(384, local.class_memory_mib * 0.05)) * 1048576
  )
  max_connections = local.class_memory_bytes == null ? 1 : min(floor(local.class_memory_bytes / 9531392), 5000)
  # 100% of the freeable-memory alarm: the class's memory (1 GiB for a class the table lacks)
  memory_bytes = coalesce(local.class_memory_mib, 1024) * 1048576

  cluster_dimensions = { DBClusterIdentifier = module.cluster.id }
  reader_dimensions  = { DBClusterIdentifier = module.cluster.id, Role = "READER" }
  no_query           = null

  all_alarms = {
    "${var.name}-cpu" = {
      key                = "cpu"
      description        = "CPU utilisation of the busiest member of Aurora cluster ${var.name} (%, 3 x 5 min)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 3
      period             = 300
      treat_missing_data = "missing"
      namespace          = "AWS/RDS"
      metric             = "CPUUtilization"
      statistic          = "Maximum"
      dimensions         = local.cluster_dimensions
      queries            = local.no_query
    }
    "${var.name}-freeable-memory" = {
      key                = "freeable_memory"
      description        = "Freeable memory of the least free member of Aurora cluster ${var.name} below a share of its class's ${coalesce(local.class_memory_mib, 1024)} MiB (% free, 3 x 5 min)."
      comparison         = "LessThanThreshold"
      evaluation_periods = 3
      period             = 300
      treat_missing_data = "missing"
      namespace          = null
      metric             = null
      statistic          = null
      dimensions         = null
      queries = [
        { id = "free", expression = null, label = "freeable bytes", namespace = "AWS/RDS", metric = "FreeableMemory", statistic = "Minimum", dimensions = local.cluster_dimensions },
        { id = "free_percent", expression = "100 * free / ${local.memory_bytes}", label = "free %", namespace = null, metric = null, statistic = null, dimensions = null },
      ]
    }
    "${var.name}-connections" = {
      key                = "connections"
      description        = "Open connections to the busiest member of Aurora cluster ${var.name} as a share of its max_connections (${local.max_connections}) (%, 3 x 5 min)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 3
      period             = 300
      treat_missing_data = "missing"
      namespace          = null
      metric             = null
      statistic          = null
      dimensions         = null
      queries = [
        { id = "connections", expression = null, label = "connections", namespace = "AWS/RDS", metric = "DatabaseConnections", statistic = "Maximum", dimensions = local.cluster_dimensions },
        { id = "connections_percent", expression = "100 * connections / ${local.max_connections}", label = "% of max_connections", namespace = null, metric = null, statistic = null, dimensions = null },
      ]
    }
    "${var.name}-replica-lag" = {
      key                = "replica_lag"
      description        = "Replication lag of the slowest Aurora Replica of cluster ${var.name} (ms, 3 x 5 min)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 3
      period             = 300
      treat_missing_data = "missing"
      namespace          = "AWS/RDS"
      metric             = "AuroraReplicaLag"
      statistic          = "Maximum"
      dimensions         = local.reader_dimensions
      queries            = local.no_query
    }
  }

  alarms = { for name, a in local.all_alarms : name => a if a.key != "replica_lag" || local.instances > 1 }
}
