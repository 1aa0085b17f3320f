# Subscriptions of this queue to SNS topics (var.subscriptions). The queue policy admits exactly
# the subscribed topics (aws:SourceArn), and each subscription redrives messages SNS cannot
# deliver to the queue's dead-letter queue, whose policy admits the same topics.
# SNS standard topics deliver only to standard queues, FIFO topics only to FIFO queues:
# https://docs.aws.amazon.com/sns/latest/dg/fifo-sns-subscription.html

locals {
  subscriptions = { for s in var.subscriptions : s.topic_arn => s }
  topic_arns    = sort(keys(local.subscriptions))
}

resource "aws_sns_topic_subscription" "this" {
  for_each = local.subscriptions

  topic_arn            = each.key
  protocol             = "sqs"
  endpoint             = module.sqs.arn
  raw_message_delivery = each.value.raw_message_delivery
  filter_policy        = each.value.filter_policy
  redrive_policy       = var.dead_letter_queue ? jsonencode({ deadLetterTargetArn = module.sqs.dlq_arn }) : null

  lifecycle {
    precondition {
      condition     = var.dead_letter_queue
      error_message = "a queue that subscribes to topics needs dead_letter_queue = true: messages SNS cannot deliver go there."
    }
    precondition {
      condition     = endswith(each.key, ".fifo") == var.fifo
      error_message = "topic ${each.key} and queue ${module.sqs.name} must both be FIFO or both standard."
    }
  }
}

resource "aws_sqs_queue_policy" "subscribed" {
  for_each = length(local.topic_arns) == 0 ? {} : var.dead_letter_queue ? { queue = module.sqs.url, dlq = module.sqs.dlq_url } : { queue = module.sqs.url }

  queue_url = each.value
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "SubscribedTopicsSend"
      Effect    = "Allow"
      Principal = { Service = "sns.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = each.key == "queue" ? module.sqs.arn : module.sqs.dlq_arn
      Condition = { ArnEquals = { "aws:SourceArn" = local.topic_arns } }
    }]
  })
}
