# Alarms of a queue. Thresholds are platform defaults (local.alarm_defaults); a service overrides
# or silences one per environment (overrides.alarms.<datastore>), with a reason.
# Resources: alarm_resources.tf.

locals {
  alarm_defaults = {
    oldest_message = { threshold = 900, min = 60, max = 1209600, unit = "seconds" }
    dead_letters   = { threshold = 0, min = 0, max = 1000000, unit = "messages" }
  }

  no_query = null
  # aws/sqs names the dead-letter queue <name>-dlq (.fifo for FIFO queues); known at plan time,
  # and the dimensions test checks it against the planned queue.
  dlq_name = "${var.name}-dlq${var.fifo ? ".fifo" : ""}"

  alarms = merge(
    {
      "${module.sqs.name}-oldest-message" = {
        key                = "oldest_message"
        description        = "Age of the oldest message in queue ${module.sqs.name}: consumers are behind or stuck (seconds, 3 x 5 min)."
        comparison         = "GreaterThanThreshold"
        evaluation_periods = 3
        period             = 300
        treat_missing_data = "notBreaching"
        namespace          = "AWS/SQS"
        metric             = "ApproximateAgeOfOldestMessage"
        statistic          = "Maximum"
        dimensions         = { QueueName = module.sqs.name }
        queries            = local.no_query
      }
    },
    var.dead_letter_queue ? {
      "${var.name}-dead-letters" = {
        key                = "dead_letters"
        description        = "Messages in the dead-letter queue of ${module.sqs.name}: messages failed ${var.max_receive_count} times (count, 1 x 5 min)."
        comparison         = "GreaterThanThreshold"
        evaluation_periods = 1
        period             = 300
        treat_missing_data = "notBreaching"
        namespace          = "AWS/SQS"
        metric             = "ApproximateNumberOfMessagesVisible"
        statistic          = "Maximum"
        dimensions         = { QueueName = local.dlq_name }
        queries            = local.no_query
      }
    } : {},
  )
}
