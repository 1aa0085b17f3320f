# Connection by convention: the SSM parameters the task definition reads with valueFrom
# (docs/deploying.md). Names must match generator/deploy/convention.py.
mock_provider "aws" {}

variables {
  service        = "orders"
  owner          = "team-a"
  environment    = "staging"
  production     = false
  vpc_id         = "vpc-0123456789abcdef0"
  subnet_ids     = ["subnet-0a", "subnet-0b"]
  tags           = {}
  name           = "orders-db"
  engine         = "postgres"
  engine_version = "16.4"
  instance_class = "db.t4g.medium"
  storage_gb     = 20
}

run "connection_parameters" {
  command = apply

  assert {
    condition = output.connection_parameters == {
      host     = "/infragen/staging/orders-db/host"
      port     = "/infragen/staging/orders-db/port"
      database = "/infragen/staging/orders-db/database"
      user     = "/infragen/staging/orders-db/user"
    }
    error_message = "the database must publish host, port, database and user under /infragen/<env>/<name>/"
  }

  assert {
    condition = (
      aws_ssm_parameter.connection["host"].value == module.rds.address &&
      aws_ssm_parameter.connection["port"].value == "5432" &&
      aws_ssm_parameter.connection["database"].value == "orders_db" &&
      aws_ssm_parameter.connection["user"].value == "orders" &&
      alltrue([for p in aws_ssm_parameter.connection : p.type == "String" && p.tags["service"] == "orders"])
    )
    error_message = "the parameters must carry the instance address, the engine port, the conventional database and IAM user, untyped-secret String values, and the module tags"
  }
}
