# Alarms of a table. Thresholds are platform defaults (local.alarm_defaults); a service overrides
# or silences one per environment (overrides.alarms.<datastore>), with a reason.
# Resources: alarm_resources.tf.

locals {
  alarm_defaults = {
    throttles = { threshold = 0, min = 0, max = 1000000, unit = "throttled read + write events per 5 min" }
  }

  alarms = {
    "${var.name}-throttles" = {
      key                = "throttles"
      description        = "Read and write requests to table ${module.dynamodb.table_name} throttled by DynamoDB (events per 5 min, 2 x 5 min)."
      comparison         = "GreaterThanThreshold"
      evaluation_periods = 2
      period             = 300
      treat_missing_data = "notBreaching"
      namespace          = null
      metric             = null
      statistic          = null
      dimensions         = null
      queries = [
        { id = "reads", expression = null, label = "read throttles", namespace = "AWS/DynamoDB", metric = "ReadThrottleEvents", statistic = "Sum", dimensions = { TableName = module.dynamodb.table_name } },
        { id = "writes", expression = null, label = "write throttles", namespace = "AWS/DynamoDB", metric = "WriteThrottleEvents", statistic = "Sum", dimensions = { TableName = module.dynamodb.table_name } },
        # DynamoDB publishes the throttle metrics only for periods in which they are non-zero, and
        # metric math of a missing series yields no datapoint: fill each with 0 so a write-only
        # (or read-only) throttle still sums to a value
        # (FILL in https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html).
        { id = "throttles", expression = "FILL(reads, 0) + FILL(writes, 0)", label = "throttled events", namespace = null, metric = null, statistic = null, dimensions = null },
      ]
    }
  }
}
