mock_provider "aws" {}

variables {
  name   = "orders-staging"
  region = "eu-west-1"
  widget_groups = [
    [
      jsonencode({ title = "orders: requests", metrics = [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", "app/internal/0123", "TargetGroup", "targetgroup/orders/0123", { stat = "Sum" }]] }),
      jsonencode({ title = "orders: CPU", metrics = [["AWS/ECS", "CPUUtilization", "ClusterName", "main", "ServiceName", "orders", { stat = "Average" }]] }),
    ],
    [
      jsonencode({ title = "orders-db: CPU", metrics = [["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", "orders-db", { stat = "Average" }]] }),
    ],
  ]
}

run "valid_dashboard_json" {
  command = apply

  assert {
    condition     = length(jsondecode(output.body).widgets) == 3
    error_message = "every widget of every group must be on the dashboard"
  }

  assert {
    condition = alltrue([
      for w in jsondecode(output.body).widgets :
      w.type == "metric" && w.x + w.width <= 24 && w.width > 0 && w.height > 0 && w.properties.region == "eu-west-1" && length(w.properties.metrics) > 0
    ])
    error_message = "widgets must be metric widgets inside CloudWatch's 24-unit grid, with a region and metrics"
  }

  assert {
    condition     = jsondecode(output.body).widgets[2].y == 6 && jsondecode(output.body).widgets[2].x == 0
    error_message = "widgets are laid out two per row"
  }
}

run "rejects_empty_dashboard" {
  command = plan
  variables {
    widget_groups = [[]]
  }
  expect_failures = [var.widget_groups]
}

run "rejects_widget_without_metrics" {
  command = plan
  variables {
    widget_groups = [[jsonencode({ title = "no metrics" })]]
  }
  expect_failures = [var.widget_groups]
}
