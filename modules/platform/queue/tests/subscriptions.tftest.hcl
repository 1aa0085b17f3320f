mock_provider "aws" {}

variables {
  service     = "shop"
  owner       = "team-a"
  environment = "staging"
  production  = false
  vpc_id      = "vpc-0123456789abcdef0"
  subnet_ids  = ["subnet-0a", "subnet-0b"]
  name        = "shop-invoices"
}

run "no_subscriptions_no_policy" {
  command = apply

  assert {
    condition     = length(aws_sns_topic_subscription.this) == 0 && length(aws_sqs_queue_policy.subscribed) == 0
    error_message = "a queue that subscribes to nothing has no subscription and no queue policy (access is IAM only)"
  }
}

run "subscribes_to_two_topics" {
  command = apply
  variables {
    subscriptions = [
      { topic_arn = "arn:aws:sns:eu-west-1:111122223333:ledger-events", filter_policy = "{\"type\":[\"invoice.paid\"]}", raw_message_delivery = true },
      { topic_arn = "arn:aws:sns:eu-west-1:111122223333:billing-events" },
    ]
  }

  assert {
    condition     = aws_sns_topic_subscription.this["arn:aws:sns:eu-west-1:111122223333:ledger-events"].protocol == "sqs" && aws_sns_topic_subscription.this["arn:aws:sns:eu-west-1:111122223333:ledger-events"].endpoint == module.sqs.arn
    error_message = "each topic delivers to this queue over the sqs protocol"
  }

  assert {
    condition     = aws_sns_topic_subscription.this["arn:aws:sns:eu-west-1:111122223333:ledger-events"].raw_message_delivery && !aws_sns_topic_subscription.this["arn:aws:sns:eu-west-1:111122223333:billing-events"].raw_message_delivery
    error_message = "raw message delivery is per subscription, off by default"
  }

  assert {
    condition     = jsondecode(aws_sns_topic_subscription.this["arn:aws:sns:eu-west-1:111122223333:ledger-events"].filter_policy) == { type = ["invoice.paid"] } && aws_sns_topic_subscription.this["arn:aws:sns:eu-west-1:111122223333:billing-events"].filter_policy == null
    error_message = "the filter policy is passed through, none by default"
  }

  assert {
    condition     = jsondecode(aws_sns_topic_subscription.this["arn:aws:sns:eu-west-1:111122223333:billing-events"].redrive_policy).deadLetterTargetArn == module.sqs.dlq_arn
    error_message = "undeliverable messages go to the queue's dead-letter queue"
  }

  assert {
    condition     = jsondecode(aws_sqs_queue_policy.subscribed["queue"].policy).Statement[0].Condition.ArnEquals["aws:SourceArn"] == ["arn:aws:sns:eu-west-1:111122223333:billing-events", "arn:aws:sns:eu-west-1:111122223333:ledger-events"]
    error_message = "the queue admits exactly the subscribed topics"
  }

  assert {
    condition     = jsondecode(aws_sqs_queue_policy.subscribed["queue"].policy).Statement[0].Principal == { Service = "sns.amazonaws.com" } && jsondecode(aws_sqs_queue_policy.subscribed["queue"].policy).Statement[0].Action == "sqs:SendMessage" && length(jsondecode(aws_sqs_queue_policy.subscribed["queue"].policy).Statement) == 1
    error_message = "the queue policy lets SNS send, nothing else"
  }

  assert {
    condition     = jsondecode(aws_sqs_queue_policy.subscribed["dlq"].policy).Statement[0].Resource == module.sqs.dlq_arn && aws_sqs_queue_policy.subscribed["dlq"].queue_url == module.sqs.dlq_url
    error_message = "the dead-letter queue admits the same topics (SNS redrive)"
  }

  # Day 2: subscribing keeps the queue and its DLQ (the mock gives a replaced resource a new ARN).
  assert {
    condition     = output.arn == run.no_subscriptions_no_policy.arn && output.dlq_arn == run.no_subscriptions_no_policy.dlq_arn
    error_message = "adding subscriptions must not replace the queue or its dead-letter queue"
  }
}

run "unsubscribing_keeps_the_queue" {
  command = apply

  assert {
    condition     = length(aws_sns_topic_subscription.this) == 0 && length(aws_sqs_queue_policy.subscribed) == 0
    error_message = "removing the subscriptions removes them and the queue policy"
  }

  assert {
    condition     = output.arn == run.no_subscriptions_no_policy.arn && output.dlq_arn == run.no_subscriptions_no_policy.dlq_arn
    error_message = "removing subscriptions must not replace the queue or its dead-letter queue"
  }
}

run "rejects_a_fifo_topic_on_a_standard_queue" {
  command = plan
  variables {
    subscriptions = [{ topic_arn = "arn:aws:sns:eu-west-1:111122223333:ledger-events.fifo" }]
  }
  expect_failures = [aws_sns_topic_subscription.this]
}

run "rejects_subscriptions_without_dead_letter_queue" {
  command = plan
  variables {
    dead_letter_queue = false
    subscriptions     = [{ topic_arn = "arn:aws:sns:eu-west-1:111122223333:ledger-events" }]
  }
  expect_failures = [aws_sns_topic_subscription.this]
}

run "rejects_a_filter_policy_that_is_not_an_object" {
  command = plan
  variables {
    subscriptions = [{ topic_arn = "arn:aws:sns:eu-west-1:111122223333:ledger-events", filter_policy = "[1]" }]
  }
  expect_failures = [var.subscriptions]
}

run "rejects_a_filter_policy_of_six_attributes" {
  command = plan
  variables {
    subscriptions = [{ topic_arn = "arn:aws:sns:eu-west-1:111122223333:ledger-events", filter_policy = "{\"a\":[1],\"b\":[1],\"c\":[1],\"d\":[1],\"e\":[1],\"f\":[1]}" }]
  }
  expect_failures = [var.subscriptions]
}

run "rejects_a_nested_filter_policy" {
  command = plan
  variables {
    subscriptions = [{ topic_arn = "arn:aws:sns:eu-west-1:111122223333:ledger-events", filter_policy = "{\"order\":{\"type\":[\"paid\"]}}" }]
  }
  expect_failures = [var.subscriptions]
}

run "accepts_five_attributes_with_operators" {
  command = plan
  variables {
    subscriptions = [{ topic_arn = "arn:aws:sns:eu-west-1:111122223333:ledger-events", filter_policy = "{\"a\":[\"x\",{\"prefix\":\"y\"}],\"b\":[{\"numeric\":[\">\",0]}],\"c\":[{\"exists\":true}],\"d\":[null],\"e\":[true]}" }]
  }
}
