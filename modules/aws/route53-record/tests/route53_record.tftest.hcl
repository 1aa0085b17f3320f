mock_provider "aws" {}

variables {
  zone_id = "Z0123456789ABCDEFGHIJ"
  name    = "orders-internal.staging.example.com"
}

run "alias_record" {
  command = apply

  variables {
    alias = { name = "internal-lb-123.eu-west-1.elb.amazonaws.com", zone_id = "Z32O12XQLNTSW2" }
  }

  assert {
    condition     = aws_route53_record.this.type == "A" && aws_route53_record.this.name == "orders-internal.staging.example.com"
    error_message = "an alias record must be an A record with the given name"
  }

  assert {
    condition     = one(aws_route53_record.this.alias).zone_id == "Z32O12XQLNTSW2" && one(aws_route53_record.this.alias).evaluate_target_health
    error_message = "the alias must target the given zone and evaluate target health"
  }

  assert {
    condition     = aws_route53_record.this.ttl == null && aws_route53_record.this.records == null
    error_message = "an alias record has no TTL and no records"
  }
}

run "cname_record" {
  command = apply

  variables {
    type        = "CNAME"
    records     = ["orders.example.net"]
    ttl_seconds = 60
  }

  assert {
    condition     = aws_route53_record.this.records == toset(["orders.example.net"]) && aws_route53_record.this.ttl == 60
    error_message = "a plain record must carry its records and TTL"
  }

  assert {
    condition     = length(aws_route53_record.this.alias) == 0
    error_message = "a plain record has no alias"
  }
}

run "rejects_neither_records_nor_alias" {
  command         = plan
  expect_failures = [aws_route53_record.this]
}

run "rejects_both_records_and_alias" {
  command = plan
  variables {
    records = ["10.0.0.1"]
    alias   = { name = "lb.example.com", zone_id = "Z32O12XQLNTSW2" }
  }
  expect_failures = [aws_route53_record.this]
}

run "rejects_alias_cname" {
  command = plan
  variables {
    type  = "CNAME"
    alias = { name = "lb.example.com", zone_id = "Z32O12XQLNTSW2" }
  }
  expect_failures = [aws_route53_record.this]
}

run "rejects_bad_type" {
  command = plan
  variables {
    type    = "PTRX"
    records = ["x"]
  }
  expect_failures = [var.type]
}

run "rejects_trailing_dot" {
  command = plan
  variables {
    name    = "orders.example.com."
    records = ["10.0.0.1"]
  }
  expect_failures = [var.name]
}

run "rejects_bad_zone" {
  command = plan
  variables {
    zone_id = "zone-1"
    records = ["10.0.0.1"]
  }
  expect_failures = [var.zone_id]
}
