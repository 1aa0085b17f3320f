# Connection by convention: the queue URL as an SSM parameter (docs/deploying.md).
mock_provider "aws" {
  mock_resource "aws_sqs_queue" {
    defaults = {
      url = "https://sqs.eu-west-1.amazonaws.com/111111111111/orders-events"
      arn = "arn:aws:sqs:eu-west-1:111111111111:orders-events"
    }
  }
}

variables {
  service     = "orders"
  owner       = "team-a"
  environment = "production"
  production  = true
  vpc_id      = "vpc-0123456789abcdef0"
  subnet_ids  = ["subnet-0a", "subnet-0b"]
  tags        = {}
  name        = "orders-events"
}

run "queue_url_parameter" {
  command = apply

  assert {
    condition     = output.connection_parameters == { url = "/infragen/production/orders-events/url" }
    error_message = "the queue must publish its URL under /infragen/<env>/<name>/url"
  }

  assert {
    condition     = aws_ssm_parameter.connection["url"].value == "https://sqs.eu-west-1.amazonaws.com/111111111111/orders-events"
    error_message = "the parameter must carry the queue's URL"
  }
}
