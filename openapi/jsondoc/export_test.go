package jsondoc

// AdoptFields is adoptFields, for TestAdoptFieldsCoversT.
var AdoptFields = adoptFields
