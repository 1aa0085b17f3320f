output "name" {
  description = "Name of the Consul node; register services on it by this name."
  value       = consul_node.this.name
}

output "address" {
  description = "Address of the Consul node."
  value       = consul_node.this.address
}

output "datacenter" {
  description = "Datacenter the node is registered in."
  value       = consul_node.this.datacenter
}
