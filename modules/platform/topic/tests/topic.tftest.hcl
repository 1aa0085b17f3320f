mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
}

variables {
  service         = "ledger"
  owner           = "team-a"
  environment     = "staging"
  production      = false
  vpc_id          = "vpc-0123456789abcdef0"
  subnet_ids      = ["subnet-0a", "subnet-0b"]
  tags            = { cost-center = "cc-42", owner = "someone-else" }
  name            = "ledger-events"
  account_id      = "111122223333"
  alarm_topic_arn = "arn:aws:sns:eu-west-1:111122223333:team-a-alerts"
}

run "standard_topic_on_the_account_key" {
  command = apply

  assert {
    condition     = aws_sns_topic.this.name == "ledger-events" && aws_sns_topic.this.fifo_topic != true
    error_message = "a standard topic is named <name>"
  }

  assert {
    condition     = aws_sns_topic.this.kms_master_key_id == "alias/aws/sns" && length(aws_kms_key.this) == 0
    error_message = "encryption = account uses the AWS managed alias/aws/sns key and creates no key"
  }

  assert {
    condition     = output.security_group_id == null && output.client_security_group_id == null
    error_message = "no security groups at all: access is IAM only"
  }

  assert {
    condition     = output.tags == tomap({ cost-center = "cc-42", owner = "team-a", service = "ledger", environment = "staging", managed-by = "infragen" })
    error_message = "tags must be var.tags plus owner, service, environment and managed-by, which win over var.tags"
  }

  assert {
    condition     = aws_ssm_parameter.connection["arn"].name == "/infragen/staging/ledger-events/arn"
    error_message = "the topic's ARN is published by convention under /infragen/<env>/<name>/arn"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["ledger-events-delivery-failures"].dimensions == tomap({ TopicName = "ledger-events" }) && aws_cloudwatch_metric_alarm.this["ledger-events-delivery-failures"].alarm_actions == toset(["arn:aws:sns:eu-west-1:111122223333:team-a-alerts"])
    error_message = "the delivery-failure alarm watches the topic and notifies the owner team"
  }
}

run "fifo_topic_on_its_own_key" {
  command = apply
  variables {
    fifo       = true
    encryption = "own"
  }

  assert {
    condition     = aws_sns_topic.this.name == "ledger-events.fifo" && aws_sns_topic.this.fifo_topic == true
    error_message = "a FIFO topic is <name>.fifo"
  }

  assert {
    condition     = length(aws_kms_key.this) == 1 && aws_kms_key.this[0].enable_key_rotation && aws_sns_topic.this.kms_master_key_id == aws_kms_key.this[0].arn
    error_message = "encryption = own creates a rotated key and encrypts the topic with it"
  }

  assert {
    condition     = jsondecode(aws_kms_key.this[0].policy).Statement[1].Condition.StringEquals == { "kms:CallerAccount" = "111122223333", "kms:ViaService" = "sns.eu-west-1.amazonaws.com" }
    error_message = "the key policy limits use to SNS"
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["ledger-events-delivery-failures"].dimensions == tomap({ TopicName = "ledger-events.fifo" })
    error_message = "the alarm watches the .fifo topic"
  }
}

run "rejects_a_malformed_account_id" {
  command = plan
  variables {
    account_id = "1111"
  }
  expect_failures = [var.account_id]
}

run "rejects_unknown_encryption" {
  command = plan
  variables {
    encryption = "none"
  }
  expect_failures = [var.encryption]
}

run "rejects_deduplication_without_fifo" {
  command = plan
  variables {
    content_based_deduplication = true
  }
  expect_failures = [aws_sns_topic.this]
}
