# Alarms of a database. Thresholds are platform defaults (local.alarm_defaults): change one here
# and every database gets it. A service overrides or silences one per environment in its
# environment file (overrides.alarms.<datastore>), with a reason. Resources: alarm_resources.tf.
# Each read replica gets a replica_lag alarm (<name>-replica-N-lag).

locals {
  alarm_defaults = {
    cpu          = { threshold = 80, min = 1, max = 100, unit = "% CPU" }
    free_storage = { threshold = 10, min = 1, max = 90, unit = "% of allocated storage free" }
    connections  = { threshold = 80, min = 1, max = 100, unit = "% of max_connections" }
    # Reads from a replica may be this stale: a minute of lag is what a reader of READER_HOST is
    # told to tolerate; 5 minutes running above it means the replica cannot keep up (its class,
    # long queries holding replay on postgres) or replication broke.
    replica_lag = { threshold = 60, min = 1, max = 86400, unit = "seconds behind the instance, 5 x 1 min" }
  }

  # RDS's default max_connections (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections):
  # PostgreSQL LEAST({DBInstanceClassMemory/9531392}, 5000), MySQL {DBInstanceClassMemory/12582880}.
  # DBInstanceClassMemory is the class's memory less what RDS keeps for the operating system
  # and its own processes, an amount AWS does not publish; we take max(384 MiB, 5%), which
  # gives at most the defaults measured on db.t2.small/medium/large, db.m4.large and
  # db.r4.large (198, 413, 856, 856, 1660 on PostgreSQL), so the alarm fires early rather
  # than never. Memory in GiB by class letter (t burstable, m general purpose, r memory
  # optimised; every generation) and size. Another class needs var.max_connections.
  instance_memory_gib = {
    t = { micro = 1, small = 2, medium = 4, large = 8, xlarge = 16, "2xlarge" = 32 }
    m = { large = 8, xlarge = 16, "2xlarge" = 32, "4xlarge" = 64, "8xlarge" = 128, "12xlarge" = 192, "16xlarge" = 256, "24xlarge" = 384, "32xlarge" = 512, "48xlarge" = 768 }
    r = { large = 16, xlarge = 32, "2xlarge" = 64, "4xlarge" = 128, "8xlarge" = 256, "12xlarge" = 384, "16xlarge" = 512, "24xlarge" = 768, "32xlarge" = 1024, "48xlarge" = 1536 }
  }
  class_parts      = split(".", var.instance_class)
  class_memory_mib = try(local.instance_memory_gib[substr(local.class_parts[1], 0, 1)][local.class_parts[2]] * 1024, null)
  class_memory_bytes = local.class_memory_mib == null ? null : floor(
    (local.class_memory_mib - max(384, local.class_memory_mib * 0.05)) * 1048576
  )
  default_max_connections = local.class_memory_bytes == null ? null : (
    var.engine == "postgres" ? min(floor(local.class_memory_bytes / 9531392), 5000) : floor(local.class_memory_bytes / 12582880)
  )
  max_connections = coalesce(var.max_connections, local.default_max_connections, 1)

  db_dimensions = { DBInstanceIdentifier = module.rds.id }
  no_query      = null

  # ReplicaLag (seconds) of each replica, by its own DBInstanceIdentifier (aws/rds names them)
  replica_ids = [for i in range(var.read_replicas) : "${var.name}-replica-${i + 1}"]
  replica_alarms = {
    for id in local.replica_ids : "${id}-lag" => {
      key                = "replica_lag"
      description        = "Replication lag of read replica ${id} of database ${var.name} (seconds, max, 5 x 1 min)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 5
      period             = 60
      treat_missing_data = "missing"
      namespace          = "AWS/RDS"
      metric             = "ReplicaLag"
      statistic          = "Maximum"
      dimensions         = { DBInstanceIdentifier = id }
      queries            = local.no_query
    }
  }

  alarms = merge(local.replica_alarms, {
    "${var.name}-cpu" = {
      key                = "cpu"
      description        = "CPU utilisation of database ${var.name} (%, 3 x 5 min)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 3
      period             = 300
      treat_missing_data = "missing"
      namespace          = "AWS/RDS"
      metric             = "CPUUtilization"
      statistic          = "Average"
      dimensions         = local.db_dimensions
      queries            = local.no_query
    }
    "${var.name}-free-storage" = {
      key                = "free_storage"
      description        = "Free storage of database ${var.name} below a share of its ${var.storage_gb} GiB (% free, 2 x 5 min)."
      comparison         = "LessThanThreshold"
      evaluation_periods = 2
      period             = 300
      treat_missing_data = "missing"
      namespace          = null
      metric             = null
      statistic          = null
      dimensions         = null
      queries = [
        { id = "free", expression = null, label = "free bytes", namespace = "AWS/RDS", metric = "FreeStorageSpace", statistic = "Minimum", dimensions = local.db_dimensions },
        { id = "free_percent", expression = "100 * free / ${var.storage_gb * 1073741824}", label = "free %", namespace = null, metric = null, statistic = null, dimensions = null },
      ]
    }
    "${var.name}-connections" = {
      key                = "connections"
      description        = "Open connections to database ${var.name} as a share of its max_connections (${local.max_connections}) (%, 3 x 5 min)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 3
      period             = 300
      treat_missing_data = "missing"
      namespace          = null
      metric             = null
      statistic          = null
      dimensions         = null
      queries = [
        { id = "connections", expression = null, label = "connections", namespace = "AWS/RDS", metric = "DatabaseConnections", statistic = "Maximum", dimensions = local.db_dimensions },
        { id = "connections_percent", expression = "100 * connections / ${local.max_connections}", label = "% of max_connections", namespace = null, metric = null, statistic = null, dimensions = null },
      ]
    }
  })
}
