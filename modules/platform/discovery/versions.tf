terraform {
  required_version = ">= 1.7"

  required_providers {
    consul = {
      source  = "hashicorp/consul"
      version = ">= 2.20"
    }
  }
}
