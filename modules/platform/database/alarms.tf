# Alarms of a database. Thresholds are platform defaults (local.alarm_defaults): change one here
# and every database gets it. A service overrides or silences one per environment in its
# environment file (overrides.alarms.<datastore>), with a reason. Resources: alarm_resources.tf.
# No replica-lag alarm: this module creates no read replicas.

locals {
  alarm_defaults = {
    cpu          = { threshold = 80, min = 1, max = 100, unit = "% CPU" }
    free_storage = { threshold = 10, min = 1, max = 90, unit = "% of allocated storage free" }
    connections  = { threshold = 80, min = 1, max = 100000, unit = "connections" }
  }

  db_dimensions = { DBInstanceIdentifier = module.rds.id }
  no_query      = null

  alarms = {
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
      description        = "Open connections to database ${var.name} (count, 3 x 5 min)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 3
      period             = 300
      treat_missing_data = "missing"
      namespace          = "AWS/RDS"
      metric             = "DatabaseConnections"
      statistic          = "Maximum"
      dimensions         = local.db_dimensions
      queries            = local.no_query
    }
  }
}
