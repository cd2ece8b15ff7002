// Manage Didomi consent notices as infrastructure: drafts, deployments, privacy widgets.
package didomi
